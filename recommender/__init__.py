"""MEM Match: recommends MEM specializations, real programs and career roles from a short quiz."""

from recommender.app import create_app

__all__ = ["create_app"]
