"""Builds the compiled part of the export parser (everything else is in pyproject.toml)."""
from Cython.Build import cythonize
from setuptools import setup

EXTENSIONS = ["eazybe_tasks/sources/exports/_header_split.pyx", "eazybe_tasks/sources/exports/_plain_messages.pyx"]

setup(ext_modules=cythonize(EXTENSIONS, compiler_directives={"language_level": 3}))
