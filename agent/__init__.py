"""mockloop: mock interviews and rubric scores with verified evidence."""

__version__ = "0.1.0"
