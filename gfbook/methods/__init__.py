"""The methods the book studies: each maps a loss and a start point to a trajectory."""

from gfbook.methods.descent import gradient_descent
from gfbook.methods.flow import gradient_flow, integrate

__all__ = ["gradient_descent", "gradient_flow", "integrate"]
