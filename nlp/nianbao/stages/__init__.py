"""Pipeline stages, each filling part of a Report from a Context.

Order: normalise → segment → tables → checks → facts → themes → merge (see ``nianbao.pipeline``).
"""
