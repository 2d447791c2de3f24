"""The REST API of boards: parsers, error format, serializers and views."""
