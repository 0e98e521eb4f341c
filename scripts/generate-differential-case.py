#!/usr/bin/env python3
"""Writes one random, valid service using every event kind, for differential testing against
the reference:

  python3 scripts/generate-differential-case.py SEED OUT_DIR
  SLS=.../node_modules/.bin/serverless python3 ../shared/compat/tools/record_expectations.py OUT_DIR

tests/fixtures/differential/ holds cases made this way (seeds in their names) with the
reference's expectations; `cargo test` compares our output with them. Functions bring no own
role, sources are distinct and msk has no SASL secret, so that no deviation (D2, D3, D14)
applies and the expectation is the reference's own output. Standard library only.
"""
import random, sys, os, json
seed=int(sys.argv[1]); random.seed(seed)
out=sys.argv[2]
def pick(*xs): return random.choice(xs)
def maybe(p=0.5): return random.random()<p
acct='123456789012'
lines=["service: diff%d"%seed,"frameworkVersion: '3'","configValidationMode: "+pick('error','warn'),"provider:","  name: aws","  runtime: nodejs18.x"]
if maybe(0.3): lines+=["  kinesis:","    consumerNamingMode: serviceSpecific"]
if maybe(0.2): lines+=["  stage: "+pick('prod','qa')]
lines+=["functions:"]
nf=random.randint(1,3)
for f in range(nf):
    fname=pick('worker','my-fn','fn_two','Proc%d'%f)+str(f)
    lines+=["  %s:"%fname,"    handler: h.%d"%f]
    if maybe(0.2): lines+=["    provisionedConcurrency: 2"]
    if maybe(0.0): lines+=["    role: "+pick("arn:aws:iam::%s:role/r"%acct,"MyRole")]
    lines+=["    events:"]
    for e in range(random.randint(1,3)):
        kind=pick('stream','stream','kafka','msk','activemq','rabbitmq','sqs')
        if kind=='stream':
            typ=pick('kinesis','dynamodb')
            arn=("arn:aws:kinesis:us-east-1:%s:stream/st%d"%(acct,random.randint(0,99))) if typ=='kinesis' else ("arn:aws:dynamodb:us-east-1:%s:table/T%d/stream/2024-01-01T00:00:00.000"%(acct,random.randint(0,99)))
            if maybe(0.2):
                lines+=["      - stream: "+arn]; continue
            lines+=["      - stream:","          arn: "+arn]
            if maybe(0.3): lines+=["          batchSize: %d"%random.choice([1,100,10000])]
            if maybe(0.3): lines+=["          startingPosition: "+pick('LATEST','TRIM_HORIZON')]
            if maybe(0.3): lines+=["          enabled: "+pick('true','false')]
            if maybe(0.3): lines+=["          parallelizationFactor: %d"%random.randint(1,10)]
            if maybe(0.3): lines+=["          batchWindow: %d"%random.randint(0,300)]
            if maybe(0.3): lines+=["          maximumRetryAttempts: %d"%random.choice([-1,0,5])]
            if maybe(0.3): lines+=["          bisectBatchOnFunctionError: "+pick('true','false')]
            if maybe(0.3): lines+=["          maximumRecordAgeInSeconds: %d"%random.choice([-1,60,3600])]
            if maybe(0.3): lines+=["          tumblingWindowInSeconds: %d"%random.randint(0,900)]
            if maybe(0.2): lines+=["          functionResponseType: ReportBatchItemFailures"]
            if maybe(0.3): lines+=["          destinations:","            onFailure: "+pick("arn:aws:sqs:us-east-1:%s:dlq"%acct,"arn:aws:sns:us-east-1:%s:topic"%acct)]
            if maybe(0.3): lines+=["          filterPatterns:","            - "+pick('data: {k: [1]}','dynamodb: {Keys: {id: {S: [x]}}}','eventName: [INSERT]')]
            if typ=='kinesis' and maybe(0.4): lines+=["          consumer: true"]
        elif kind=='kafka':
            lines+=["      - kafka:","          accessConfigurations:"]
            if maybe(0.5): lines+=["            saslScram512Auth: arn:aws:secretsmanager:us-east-1:%s:secret:k%d-AbCdEf"%(acct,random.randint(0,2))]
            else: lines+=["            saslPlainAuth: [arn:aws:secretsmanager:us-east-1:%s:secret:p-AbCdEf]"%acct]
            if maybe(0.3): lines+=["            vpcSubnet: [subnet-1, subnet-2]","            vpcSecurityGroup: sg-1"]
            lines+=["          bootstrapServers: [b-%d:9092]"%random.randint(0,2),"          topic: topic.%d"%random.randint(0,99)]
            if maybe(0.3): lines+=["          batchSize: %d"%random.choice([1,100])]
            if maybe(0.3): lines+=["          maximumBatchingWindow: %d"%random.choice([1,300])]
            if maybe(0.3): lines+=["          enabled: "+pick('true','false')]
            if maybe(0.3): lines+=["          consumerGroupId: group-%d"%random.randint(0,2)]
            if maybe(0.3): lines+=["          startingPosition: "+pick('LATEST','TRIM_HORIZON')]
        elif kind=='msk':
            lines+=["      - msk:","          arn: arn:aws:kafka:us-east-1:%s:cluster/c%d/uuid-1"%(acct,random.randint(0,2)),"          topic: t%d"%random.randint(0,99)]
            if maybe(0.3): lines+=["          batchSize: %d"%random.choice([1,100])]
            if maybe(0.3): lines+=["          maximumBatchingWindow: %d"%random.choice([1,300])]
            if maybe(0.3): lines+=["          enabled: "+pick('true','false')]
            if maybe(0.3): lines+=["          consumerGroupId: g%d"%random.randint(0,2)]
            if maybe(0.3): lines+=["          #saslScram512: arn:aws:secretsmanager:us-east-1:%s:secret:AmazonMSK_x-AbCdEf"%acct]
        elif kind in ('activemq','rabbitmq'):
            lines+=["      - %s:"%kind,"          arn: arn:aws:mq:us-east-1:%s:broker:b%d:b-1111-2222"%(acct,random.randint(0,2)),"          queue: q.%d"%random.randint(0,99),"          basicAuthArn: arn:aws:secretsmanager:us-east-1:%s:secret:mq-AbCdEf"%acct]
            if maybe(0.3): lines+=["          batchSize: %d"%random.choice([1,100])]
            if maybe(0.3): lines+=["          maximumBatchingWindow: %d"%random.choice([1,300])]
            if maybe(0.3): lines+=["          enabled: "+pick('true','false')]
            if kind=='rabbitmq' and maybe(0.4): lines+=["          virtualHost: /vh"]
        else:
            if maybe(0.5): lines+=["      - sqs: arn:aws:sqs:us-east-1:%s:q%d"%(acct,random.randint(0,99))]
            else:
                lines+=["      - sqs:","          arn: arn:aws:sqs:us-east-1:%s:q%d"%(acct,random.randint(0,99))]
                if maybe(0.5): lines+=["          batchSize: %d"%random.choice([1,100])]
                if maybe(0.3): lines+=["          maximumConcurrency: 5"]
if any('MyRole' in l for l in lines):
    lines+=["resources:","  Resources:","    MyRole:","      Type: AWS::IAM::Role","      Properties:","        AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}"]
os.makedirs(out,exist_ok=True)
open(os.path.join(out,'serverless.yml'),'w').write("\n".join(lines)+"\n")
open(os.path.join(out,'handler.js'),'w').write("module.exports={};\n")
