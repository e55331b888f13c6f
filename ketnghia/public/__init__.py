"""The public site's agreement and locality pages.

They show what the agreements delivered, so they read all three apps; they live here, above the
apps, so that the apps' own dependencies keep pointing one way (activities → agreements →
localities). URL namespaces stay "agreements" and "localities".
"""
