"""Keep pytest (and nbval) out of the exercise notebooks.

The student versions in `release/` fail by design (their stubs raise NotImplementedError) and
`source/` holds the solutions; `tests/test_exercises.py` grades both through nbgrader instead.
`pyproject.toml`'s testpaths already leave this folder out; this covers `pytest .`.
"""

collect_ignore_glob = ["*.ipynb", "*/*.ipynb", "*/*/*.ipynb"]
