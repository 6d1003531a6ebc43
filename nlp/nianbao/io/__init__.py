"""Input and output: readers turn files into Documents; exports turn Reports into files and tables."""
