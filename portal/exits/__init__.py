"""Exit cases: export, end of service, deletion at each sub-processor, and a sealed deletion certificate."""
