// The component catalog as the editor reads it: kinds by name, their fields, and every limit a value is checked against.
//
// Limits and choices come from the server's answers, never typed again in the browser: the catalog
// (`/api/component-kinds/`) for fields and board limits, the board's JSON Schema (generated from the
// same catalog, `/api/schema/board/`) for the service-time and token-count bounds the catalog does not list.

/** Which parameters each distribution takes and how far a time may go, from the schema's `service_time`. */
function serviceTimeRules(definition) {
  const params = {};
  for (const rule of definition.allOf || []) {
    const dist = rule.if.properties.dist;
    for (const name of dist.enum || [dist.const]) params[name] = rule.then.required;
  }
  const samples = definition.properties.samples_ms;
  return {
    params,
    minMs: samples.items.minimum,
    maxMs: samples.items.maximum,
    minSamples: samples.minItems,
    maxSamples: samples.maxItems,
  };
}

/** Which parameters each token-count distribution takes and the counts allowed, from the schema's `token_count`. */
function tokenCountRules(definition) {
  const params = {};
  for (const rule of definition.allOf || []) params[rule.if.properties.dist.const] = rule.then.required;
  const samples = definition.properties.samples;
  return { params, min: samples.items.minimum, max: samples.items.maximum, minSamples: samples.minItems, maxSamples: samples.maxItems };
}

export class Catalog {
  /**
   * @param {object} answer  the `/api/component-kinds/` answer
   * @param {object} schema  the `/api/schema/board/` answer
   */
  constructor(answer, schema) {
    this.groups = answer.groups;
    this.kinds = answer.kinds;
    this.edgeFields = answer.edge_fields;
    this.trafficFields = answer.traffic_fields;
    this.requirementFields = answer.requirement_fields;
    this.noteSteps = answer.note_steps;
    this.faultTypes = answer.fault_types;
    this.faultFields = answer.fault_fields; // the window every fault has: at_s, duration_s
    this.limits = answer.limits;
    this.annotationColours = answer.annotation_colours; // the fixed palette of notes and frames: name -> fill
    this.byName = new Map(answer.kinds.map((kind) => [kind.name, kind]));
    this.serviceTime = { distributions: answer.service_distributions, ...serviceTimeRules(schema.$defs.service_time) };
    this.tokenCount = { distributions: answer.token_distributions, ...tokenCountRules(schema.$defs.token_count) };
    // A component's or connection's name: a catalog-style field, so it is checked and drawn like the others.
    this.labelField = {
      name: "label", type: "string", default: "", nullable: false, max_chars: this.limits.label_chars,
      help: "Name shown on the canvas (double-click the box to edit it there).",
    };
  }

  kind(name) {
    return this.byName.get(name);
  }

  edgeField(name) {
    return this.edgeFields.find((field) => field.name === name);
  }

  trafficField(name) {
    return this.trafficFields.find((field) => field.name === name);
  }

  faultType(name) {
    return this.faultTypes.find((type) => type.name === name);
  }

  /**
   * The fault types that fit a component (one on the request path, whose kind has the field the type
   * needs, such as a cache's hit rate) or, with `node` null, a connection.
   */
  faultTypesFor(node) {
    if (!node) return this.faultTypes.filter((type) => type.target === "edge");
    const kind = this.kind(node.kind);
    if (!kind?.request_path) return [];
    return this.faultTypes.filter((type) => type.target === "node"
      && (!kind.fault_types || kind.fault_types.includes(type.name))
      && (!type.needs_field || kind.fields.some((field) => field.name === type.needs_field)));
  }
}
