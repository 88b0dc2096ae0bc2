"""Regenerate the shipped scenario files: python -m preflight.sandbox.scenarios"""
from . import write_files

for written in write_files():
    print(written.name)
