"""Indonesian text engine for social-media monitoring (pure Python, no Django): normalisation of
informal text, classifiers for the TP3D's categories, and matching against debunked claims."""
