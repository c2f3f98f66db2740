// The cost of a GraphQL operation, counted before it runs: every field costs 1 (aliases included: each
// is its own field), engine work costs more (translate, trace, proxy-config, describe, verify, route-check,
// envoyDiff and drift run the engine once per revision they are asked of), and everything under a list
// costs as many times as the list may hold (scenarios' `first`, revisions' `first`). An operation over GRAPHQL_MAX_COST is refused.

import { GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext, type ValueNode } from 'graphql';
import { LIMIT_VARIABLES } from '../../limits.js';

/** Fields that run the engine, by name; the rest cost 1. */
const FIELD_COST: Record<string, number> = {
  translate: 100,
  verify: 100,
  envoyDiff: 100,
  drift: 100,
  routeCheck: 50,
  analyze: 50,
  trace: 50,
  proxyConfig: 50,
  describe: 50,
  graph: 50,
  diff: 20,
};

/** How many items a list field may return, from its `first` argument or its default page. */
const LIST_SIZE: Record<string, { argument?: string; default: number; max: number }> = {
  scenarios: { argument: 'first', default: 50, max: 200 },
  revisions: { argument: 'first', default: 50, max: 200 },
  reviews: { default: 20, max: 20 },
};

type Variables = Record<string, unknown> | undefined;

function intArgument(value: ValueNode | undefined, variables: Variables): number | undefined {
  if (!value) return undefined;
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    const v = variables?.[value.name.value];
    return typeof v === 'number' ? v : undefined;
  }
  return undefined;
}

export function operationCost(
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Variables,
  spreading: Set<string> = new Set(),
): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      if (name.startsWith('__')) continue;
      cost += FIELD_COST[name] ?? 1;
      if (!selection.selectionSet) continue;
      const list = LIST_SIZE[name];
      const asked = list?.argument ? intArgument(selection.arguments?.find((a) => a.name.value === list.argument)?.value, variables) : undefined;
      const size = list ? Math.min(Math.max(asked ?? list.default, 1), list.max) : 1;
      cost += size * operationCost(selection.selectionSet, fragments, variables, spreading);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      cost += operationCost(selection.selectionSet, fragments, variables, spreading);
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      // A cycle is refused by graphql's own NoFragmentCycles rule; here it only must not loop.
      if (!fragment || spreading.has(name)) continue;
      spreading.add(name);
      cost += operationCost(fragment.selectionSet, fragments, variables, spreading);
      spreading.delete(name);
    }
  }
  return cost;
}

/** A validation rule refusing operations that cost more than maxCost. */
export function costLimitRule(maxCost: number, variables: Variables) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const fragments = new Map(
        context
          .getDocument()
          .definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
          .map((d) => [d.name.value, d]),
      );
      const cost = operationCost(operation.selectionSet, fragments, variables);
      if (cost > maxCost) {
        context.reportError(
          new GraphQLError(
            `query cost ${cost} is more than the limit of ${maxCost} (${LIMIT_VARIABLES.graphqlMaxCost}): ask for fewer engine fields (translate ${FIELD_COST.translate}, trace ${FIELD_COST.trace}, proxyConfig ${FIELD_COST.proxyConfig}), aliases or list items`,
            { nodes: [operation], extensions: { code: 'QUERY_TOO_COSTLY', cost, limit: maxCost } },
          ),
        );
      }
    },
  });
}
