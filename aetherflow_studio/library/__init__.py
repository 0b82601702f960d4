"""Where nodes and bundled resources come from: the node catalogue and resource paths."""
