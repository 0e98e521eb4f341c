#!/usr/bin/env python3
"""Compare the template `serverless package` wrote with the plugin against the one
`streaming-events package` wrote for the same service, with the corpus judge's rules
(tests/compat/compare.py): the streaming resources (every AWS::Lambda::EventSourceMapping and
AWS::Kinesis::StreamConsumer) exactly, every Lambda function of the standalone template present,
and IAM as a permission set over all roles and policies (logs:* left out). On top of the judge,
no (Effect, Action, Resource) is granted twice on one role (with its policies).

Usage: compare_templates.py COMPARE_PY STANDALONE.json PLUGIN.json
Prints a report; exits 0 when they agree, 1 when not.
"""

import importlib.util
import json
import sys


def load_judge(path):
    spec = importlib.util.spec_from_file_location('compare', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def role_grants(judge, resources):
    """(Effect, Action, Resource) -> how many times each role grants it (inline + its policies)."""
    per_role = {}

    def add(role, statements):
        counts = per_role.setdefault(role, {})
        for statement in statements:
            for triple in judge.statement_triples(statement):
                counts[triple] = counts.get(triple, 0) + 1

    for logical_id, resource in resources.items():
        if not isinstance(resource, dict):
            continue
        props = resource.get('Properties') or {}
        if resource.get('Type') == 'AWS::IAM::Role':
            for policy in judge.as_list(props.get('Policies')):
                if isinstance(policy, dict):
                    add(logical_id, judge.document_statements(policy.get('PolicyDocument')))
        elif resource.get('Type') in judge.POLICY_TYPES:
            for role in judge.as_list(props.get('Roles')):
                name = role.get('Ref') if isinstance(role, dict) else role
                add(name, judge.document_statements(props.get('PolicyDocument')))
    return per_role


def main(argv):
    judge = load_judge(argv[1])
    with open(argv[2], encoding='utf-8') as handle:
        standalone = json.load(handle)
    resources = standalone.get('Resources') or {}
    statements = []
    for resource in resources.values():
        props = (resource or {}).get('Properties') or {}
        if resource.get('Type') == 'AWS::IAM::Role':
            for policy in judge.as_list(props.get('Policies')):
                if isinstance(policy, dict):
                    statements.extend(judge.document_statements(policy.get('PolicyDocument')))
        elif resource.get('Type') in judge.POLICY_TYPES:
            statements.extend(judge.document_statements(props.get('PolicyDocument')))
    expected = {
        'resources': {k: v for k, v in resources.items()
                      if isinstance(v, dict) and v.get('Type') in judge.STREAMING_TYPES},
        'iamStatements': statements if judge.DEFAULT_ROLE in resources or statements else None,
        'lambdaLogicalIds': [k for k, v in resources.items()
                             if isinstance(v, dict) and v.get('Type') == judge.LAMBDA_TYPE],
    }
    report = judge.compare_template('.', expected, argv[3])
    with open(argv[3], encoding='utf-8') as handle:
        plugin = json.load(handle)
    # A permission granted twice on one role where the standalone template grants it once: the
    # plugin's run added it again (the Framework's compiler, or another plugin, and ours).
    reference = role_grants(judge, resources)
    for role, counts in sorted(role_grants(judge, plugin.get('Resources') or {}).items()):
        for triple, count in sorted(counts.items()):
            alone = reference.get(role, {}).get(triple, 0)
            if count > 1 and count > alone:
                report.append('~ %s grants %s %d times (streaming-events package: %d)'
                              % (role, judge.fmt_triple(triple), count, alone))
    for line in report:
        print('  ' + line)
    return 1 if report else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
