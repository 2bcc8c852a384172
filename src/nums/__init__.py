"""nums: accreditation against the National University Mentoring Standards."""

__version__ = "0.1.0"
