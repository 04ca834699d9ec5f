import os

# Qt must never look for a screen: tests run on machines without one.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
