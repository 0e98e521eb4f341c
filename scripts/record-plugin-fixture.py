#!/usr/bin/env python3
"""Record a fixture of a service that lists serverless-iam-roles-per-function, with the reference.

Usage:
  SLS=/path/to/node_modules/.bin/serverless python3 scripts/record-plugin-fixture.py CASE_DIR ...

SLS must be a Serverless Framework 3.40.0 installed beside serverless-iam-roles-per-function
3.2.0 (`npm install serverless@3.40.0 serverless-iam-roles-per-function@3.2.0`), so that the
service's `plugins:` entry resolves. For each case the reference runs in a scratch copy exactly as
the corpus was recorded (`serverless package --stage dev --region us-east-1`, offline), and:

- reference.json is the reference's result: the streaming resources, the statements of
  IamRoleLambdaExecution (logs left out), the Lambda function ids, and `functionRoles` (every
  function whose Role is another role of the stack, with that role's statements, logs left out),
  which compare.py checks;
- expected.json is the same with one deviation (D20, written in deviation.txt): the plugin leaves
  the moved functions' stream and queue permissions on IamRoleLambdaExecution, which no function
  that runs under it uses. Those are the permissions of the functions' own roles that neither
  the functions' `iamRoleStatements` nor the provider's statements give; they are taken out of
  `iamStatements`. (Exact when the moved functions read sources the shared functions do not,
  which the fixtures here keep to.)
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

ENV = {'SLS_TELEMETRY_DISABLED': '1', 'SLS_NOTIFICATIONS_MODE': 'off', 'SLS_DEPRECATION_DISABLE': '*'}
STREAMING = ('AWS::Lambda::EventSourceMapping', 'AWS::Kinesis::StreamConsumer')
DEFAULT_ROLE = 'IamRoleLambdaExecution'
RECORDED = ('expected.json', 'reference.json', 'deviation.txt')


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def is_logs(statement):
    actions = as_list(statement.get('Action'))
    return bool(actions) and all(str(a).startswith('logs:') for a in actions)


def triples(statement):
    return {(statement.get('Effect'), action, json.dumps(resource, sort_keys=True))
            for action in as_list(statement.get('Action'))
            for resource in as_list(statement.get('Resource'))}


def statements_of(role):
    return [s for s in role['Properties']['Policies'][0]['PolicyDocument']['Statement'] if not is_logs(s)]


def package(sls, case_dir):
    scratch = tempfile.mkdtemp(prefix='sls3-plugin-record-')
    try:
        for name in os.listdir(case_dir):
            if name not in RECORDED:
                shutil.copy2(os.path.join(case_dir, name), scratch)
        proc = subprocess.run([sls, 'package', '--stage', 'dev', '--region', 'us-east-1'], cwd=scratch,
                              env=dict(os.environ, **ENV), capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit('%s: the reference failed:\n%s%s' % (case_dir, proc.stdout, proc.stderr))
        with open(os.path.join(scratch, '.serverless', 'cloudformation-template-update-stack.json')) as f:
            return json.load(f)['Resources']
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def record(sls, case_dir):
    resources = package(sls, case_dir)
    with open(os.path.join(case_dir, 'serverless.yml')) as f:
        service = yaml.safe_load(f)
    function_roles = {}
    for fid, resource in resources.items():
        if resource.get('Type') != 'AWS::Lambda::Function':
            continue
        role = (resource['Properties'].get('Role') or {}).get('Fn::GetAtt', [None])[0]
        if role and role != DEFAULT_ROLE and role in resources:
            function_roles[fid] = {'role': role, 'statements': statements_of(resources[role])}
    shared = statements_of(resources[DEFAULT_ROLE]) if DEFAULT_ROLE in resources else None
    reference = {
        'resources': {k: v for k, v in resources.items() if v.get('Type') in STREAMING},
        'iamStatements': shared,
        'lambdaLogicalIds': [k for k, v in resources.items() if v.get('Type') == 'AWS::Lambda::Function'],
        'functionRoles': function_roles,
    }
    provider = service.get('provider') or {}
    written = set()
    for s in as_list((provider.get('iam') or {}).get('role', {}).get('statements')) + \
            as_list(provider.get('iamRoleStatements')):
        written |= triples(s)
    for function in (service.get('functions') or {}).values():
        for s in as_list((function or {}).get('iamRoleStatements')):
            written |= triples(s)
    moved = set()
    for spec in function_roles.values():
        for s in spec['statements']:
            moved |= triples(s) - written
    expected = dict(reference)
    if shared is not None:
        kept = []
        for s in shared:
            if not triples(s) <= moved:
                kept.append(s)
        expected['iamStatements'] = kept
    for name, value in (('reference.json', reference), ('expected.json', expected)):
        with open(os.path.join(case_dir, name), 'w') as f:
            json.dump(value, f, indent=2)
            f.write('\n')
    with open(os.path.join(case_dir, 'deviation.txt'), 'w') as f:
        f.write('D20: the plugin leaves the moved functions\' stream and queue permissions on '
                'IamRoleLambdaExecution, which none of its functions use; expected.json has them only '
                'on the functions\' own roles (reference.json keeps the reference\'s own result).\n')
    print('recorded', case_dir)


def main():
    sls = os.environ.get('SLS')
    if not sls or len(sys.argv) < 2:
        sys.exit(__doc__)
    for case_dir in sys.argv[1:]:
        record(sls, case_dir)


if __name__ == '__main__':
    main()
