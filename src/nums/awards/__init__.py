"""What an award brings: the certificate, the verifiable digital logo, and the public register.

The standard lists what accreditation provides ("Certification; Digital logo for your use;
Listing on the national standards website"). A final review that makes an award is turned,
once, into a signed Open Badges 3.0 credential (``credential``), recorded in the issuing
folder (``issuing``), and shown as a certificate (``certificate``), a logo with the credential
baked in (``logo``), and a register page (``register``). Anyone can check a logo or a
credential offline against the scheme's published key and status list (``verify``).

Only ``certificate`` imports WeasyPrint, and only when it renders; verifying, withdrawing and
making keys never do.
"""
