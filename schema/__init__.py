"""GraphQL adapter: strawberry types, resolvers, dataloaders, permissions and extensions over `service`."""
