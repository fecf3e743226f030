"""Text helpers shared by the dashboard and the command's output: sizes, ages, safe text, words."""
