"""The web app's name for ``nums.programme_files``: the conflict-checked, versioned saves of a
programme's files, which the site's library uses too (the library never imports the web)."""

from nums.programme_files import (
    EVIDENCE,
    HISTORY,
    KEEP_VERSIONS,
    REVIEW_HISTORY,
    Conflict,
    TooLarge,
    Version,
    current_sha256,
    file_inside,
    file_sha256,
    restore,
    save_file,
    save_submission,
    save_upload,
    versions,
)

__all__ = [
    "EVIDENCE",
    "HISTORY",
    "KEEP_VERSIONS",
    "REVIEW_HISTORY",
    "Conflict",
    "TooLarge",
    "Version",
    "current_sha256",
    "file_inside",
    "file_sha256",
    "restore",
    "save_file",
    "save_submission",
    "save_upload",
    "versions",
]
