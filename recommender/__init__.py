"""MEM Match: recommends MEM specializations, real programs and career roles from a short quiz."""

# First: it must choose the BLAS kernel before anything loads NumPy (see recommender/blas.py).
from recommender import blas  # noqa: F401
from recommender.app import create_app

__all__ = ["create_app"]
