"""Build of the optional native CPU kernels (``mohb_jax/_src/native/kernels.cc``).

Everything else is declared in ``pyproject.toml``. The kernels are XLA FFI handlers; their
headers ship with jaxlib, a build requirement. The extension is optional: without a C++17
compiler the install still succeeds, with a warning, and the library runs its JAX kernels
(``mohb_jax.native_info()`` says which is in use).
"""

import importlib.util
import os

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


def _jaxlib_include() -> str:
    spec = importlib.util.find_spec("jaxlib")  # located, not imported
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("building mohb_jax's native kernels needs jaxlib (a build requirement)")
    return os.path.join(list(spec.submodule_search_locations)[0], "include")


class _BuildExt(build_ext):
    """Adds jaxlib's headers and C++17 flags when the build runs (not when setup.py is read)."""

    def build_extensions(self):
        for ext in self.extensions:
            ext.include_dirs.append(_jaxlib_include())
            if self.compiler.compiler_type == "msvc":
                ext.extra_compile_args += ["/std:c++17", "/O2"]
            else:
                ext.extra_compile_args += ["-std=c++17", "-O3"]
                ext.extra_link_args += ["-pthread"]
        super().build_extensions()

    def get_export_symbols(self, ext):
        return []  # a plain shared library loaded with ctypes: no PyInit_ entry point


setup(
    ext_modules=[
        Extension(
            "mohb_jax._src.native._kernels",
            sources=["mohb_jax/_src/native/kernels.cc"],
            language="c++",
            optional=True,
        )
    ],
    cmdclass={"build_ext": _BuildExt},
)
