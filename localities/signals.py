"""Signals the registers send, for the layers above them (the site's page cache) to listen to.

The lower apps never import the site: a write that model signals do not announce (a bulk
update, a rebuild of derived rows) sends `data_changed` instead.
"""

from django.dispatch import Signal

# Sent after a bulk write to the localities, agreements or activities that bypassed their
# models' save() and delete(), with sender the module that wrote. No arguments.
data_changed = Signal()
