"""The province's reports: figures by period and scope (``figures``), and their exports as an
Excel workbook, a PDF and SVG charts (``exports``)."""
