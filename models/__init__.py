"""Shipped models (installed as ``nianbao.models``): each folder holds one model and its card."""
