"""tunecraft's core: the contracts curate, train and evalkit share, importing none of them.

- `records`: the Record every stage reads and writes, and the Reject curate writes beside it;
- `conversation`: a record split at its target assistant turn, rendered, and encoded to ids
  the same way for training and for scoring;
- `models`: model and tokenizer resolution and loading (aliases, GGUF cache);
- `hashing`: sha256 of files and texts;
- `text`: HTML to text, comparison forms, JSON-safe values, an exception's first line;
- `files`: atomic writes of files and folders;
- `lazy`: package attributes imported on first use.

Layers (tests/test_layers.py enforces them): tunecraft ← curate; tunecraft ← train;
tunecraft + train ← evalkit; no module imports a `cli` module.
"""
