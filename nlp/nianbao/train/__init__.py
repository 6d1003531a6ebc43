"""Training and evaluation: themes and facts models, the NER component, the Label Studio round trip."""
