"""The app's screens: dashboard (home), entry forms, record lists and details."""
