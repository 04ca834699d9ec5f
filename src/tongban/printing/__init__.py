"""ReportLab documents: plain data in, PDF bytes out."""
