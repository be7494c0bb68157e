// Validates custom resources (CloudNativePG, prometheus-operator) against their schemas.
//
//   node validate.mjs < resources.json
//
// Input: a JSON array of Kubernetes objects (a rendered overlay). Objects of the kinds below
// are validated with the models of @kubernetes-models/cloudnative-pg and
// @kubernetes-models/prometheus-operator (schemas generated from the operators' API types,
// pinned in package-lock.json); any other non-core kind is an error, so nothing passes
// unchecked. Prints one line per object and exits 1 when one is invalid.
import { readFileSync } from "node:fs";

const MODELS = {
  "postgresql.cnpg.io/v1 Cluster": "@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1/Cluster",
  "postgresql.cnpg.io/v1 ScheduledBackup": "@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1/ScheduledBackup",
  "monitoring.coreos.com/v1 ServiceMonitor": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor",
};

const objects = JSON.parse(readFileSync(0, "utf8"));
let failures = 0;
for (const object of objects) {
  const key = `${object.apiVersion} ${object.kind}`;
  const name = `${object.kind}/${object.metadata?.name}`;
  const module = MODELS[key];
  if (module === undefined) {
    console.log(`ERROR ${name}: no schema for ${key}`);
    failures += 1;
    continue;
  }
  const Model = (await import(module))[object.kind];
  try {
    new Model(object).validate();
    console.log(`OK ${name} (${key})`);
  } catch (error) {
    console.log(`ERROR ${name}: ${error.message}`);
    failures += 1;
  }
}
process.exit(failures === 0 ? 0 : 1);
