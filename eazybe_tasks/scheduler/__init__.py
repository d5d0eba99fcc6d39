"""The scheduled sync: notebooks/sync.ipynb executed by papermill every few minutes, one run at a
time across every scheduler sharing the store, each executed notebook kept under runs/ by date
as the record of its run."""
