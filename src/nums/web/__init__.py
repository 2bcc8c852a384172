"""The local web app behind ``nums serve``: a browser shell over the same files and functions."""
