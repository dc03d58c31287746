"""Tools for instructors: the student edition of the book (notebooks and website) and the batch grader.

:mod:`teaching.notebooks` is the one place that reads the chapter notebooks, finds their
exercises and executes notebooks in fresh kernels; the tools, the tests, the benchmarks and
the book build use it.
"""
