"""Run results as a data model, and the files a run writes from it."""
