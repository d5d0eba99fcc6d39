"""The WhatsApp Cloud API webhook receiver: verifies, parses and stores each delivery before
answering, so a 200 means the messages are durable."""
