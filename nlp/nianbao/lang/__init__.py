"""Language utilities shared by the stages: character classes, numbers, the spaCy tokenizer, entity rules."""
