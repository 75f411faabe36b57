"""The Gradio app (see ui/app.py)."""
