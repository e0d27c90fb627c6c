"""The Textual console (DESIGN section 4). The only package that imports textual."""
