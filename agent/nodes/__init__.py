"""Graph nodes: small functions over the interview state (see agent/graph.py)."""
