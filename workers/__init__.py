"""arq adapter: job functions, the periodic sweep and worker settings over `service`."""
