"""CumulusCI tasks of the project (class_path targets in cumulusci.yml)."""
