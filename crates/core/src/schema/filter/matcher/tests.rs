//! The matcher against AWS's documented behaviour. Each case is (source, pattern, record,
//! verdict, where the verdict comes from): the examples of Lambda's event-filtering pages
//! (`invocation-eventfiltering`: the filter-rule syntax table and the tables on data that is or
//! is not JSON; `with-kinesis-filtering`, `with-ddb-filtering`, `kafka-filtering` /
//! `with-msk-filtering`, `with-mq-filtering`, `with-sqs-filtering`), then each operator's edge
//! cases under the rules those pages and EventBridge's pattern pages state (exact matching
//! without case folding, numbers compared by their text, arrays matched element-wise, `numeric`
//! on numbers only, `exists` on leaves only, null and "" distinct). A pattern text that starts
//! with `[` is a list of patterns (a mapping's filters, ORed); `Some(i)` is the filter that
//! must match, `None` a miss.
//!
//! The verdicts are written from the documents, not from running the matcher.

use super::super::json::parse;
use super::super::records::records;
use super::super::{check_filter_patterns, FilterSource};
use super::{evaluate, Verdict};

use FilterSource::{AmazonMq as M, DynamoDb as D, Kafka as F, Kinesis as K, Sqs as S};

type Case = (
    FilterSource,
    &'static str,
    &'static str,
    Option<usize>,
    &'static str,
);

const OPS: &str = "invocation-eventfiltering, filter rule syntax";
const FORMATS: &str = "invocation-eventfiltering, data that is or is not JSON";
const EB: &str = "EventBridge pattern rules Lambda follows";

const CASES: &[Case] = &[
    // The operator table of invocation-eventfiltering, each with a record that matches and one
    // that does not (on an SQS body).
    (
        S,
        r#"{"body": {"UserID": [null]}}"#,
        r#"{"UserID": null}"#,
        Some(0),
        OPS,
    ),
    (
        S,
        r#"{"body": {"UserID": [null]}}"#,
        r#"{"UserID": "u-1"}"#,
        None,
        OPS,
    ),
    (
        S,
        r#"{"body": {"LastName": [""]}}"#,
        r#"{"LastName": ""}"#,
        Some(0),
        OPS,
    ),
    (
        S,
        r#"{"body": {"LastName": [""]}}"#,
        r#"{"LastName": "Doe"}"#,
        None,
        OPS,
    ),
    (
        S,
        r#"{"body": {"Name": ["Alice"]}}"#,
        r#"{"Name": "Alice"}"#,
        Some(0),
        OPS,
    ),
    (
        S,
        r#"{"body": {"Name": ["Alice"]}}"#,
        r#"{"Name": "Bob"}"#,
        None,
        OPS,
    ),
    (
        S,
        r#"{"body": {"Name": [{"equals-ignore-case": "alice"}]}}"#,
        r#"{"Name": "ALICE"}"#,
        Some(0),
        OPS,
    ),
    (
        S,
        r#"{"body": {"Name": [{"equals-ignore-case": "alice"}]}}"#,
        r#"{"Name": "Alicia"}"#,
        None,
        OPS,
    ),
    (
        S,
        r#"{"body": {"Location": ["New York"], "Day": ["Monday"]}}"#,
        r#"{"Location": "New York", "Day": "Monday"}"#,
        Some(0),
        OPS,
    ),
    (
        S,
        r#"{"body": {"Location": ["New York"], "Day": ["Monday"]}}"#,
        r#"{"Location": "New York", "Day": "Tuesday"}"#,
        None,
        OPS,
    ),
    (
        S,
        r#"{"body": {"PaymentType": ["Credit", "Debit"]}}"#,
        r#"{"PaymentType": "Debit"}"#,
        Some(0),
        OPS,
    ),
    (
        S,
        r#"{"body": {"PaymentType": ["Credit", "Debit"]}}"#,
        r#"{"PaymentType": "Cash"}"#,
        None,
        OPS,
    ),
    (
        S,
        r#"{"body": {"$or": [{"Location": ["New York"]}, {"Day": ["Monday"]}]}}"#,
        r#"{"Location": "Boston", "Day": "Monday"}"#,
        Some(0),
        OPS,
    ),
    (
        S,
        r#"{"body": {"$or": [{"Location": ["New York"]}, {"Day": ["Monday"]}]}}"#,
        r#"{"Location": "New York", "Day": "Friday"}"#,
        Some(0),
        OPS,
    ),
    (
        S,
        r#"{"body": {"$or": [{"Location": ["New York"]}, {"Day": ["Monday"]}]}}"#,
        r#"{"Location": "Boston", "Day": "Friday"}"#,
        None,
        OPS,
    ),
    (
        S,
        r#"{"body": {"Weather": [{"anything-but": ["Raining"]}]}}"#,
        r#"{"Weather": "Sunny"}"#,
        Some(0),
        OPS,
    ),
    (
        S,
        r#"{"body": {"Weather": [{"anything-but": ["Raining"]}]}}"#,
        r#"{"Weather": "Raining"}"#,
        None,
        OPS,
    ),
    (
        S,
        r#"{"body": {"Price": [{"numeric": ["=", 100]}]}}"#,
        r#"{"Price": 100}"#,
        Some(0),
        OPS,
    ),
    (
        S,
        r#"{"body": {"Price": [{"numeric": ["=", 100]}]}}"#,
        r#"{"Price": 101}"#,
        None,
        OPS,
    ),
    (
        S,
        r#"{"body": {"Price": [{"numeric": [">", 10, "<=", 20]}]}}"#,
        r#"{"Price": 15}"#,
        Some(0),
        OPS,
    ),
    (
        S,
        r#"{"body": {"Price": [{"numeric": [">", 10, "<=", 20]}]}}"#,
        r#"{"Price": 25}"#,
        None,
        OPS,
    ),
    (
        S,
        r#"{"body": {"ProductName": [{"exists": true}]}}"#,
        r#"{"ProductName": "Widget"}"#,
        Some(0),
        OPS,
    ),
    (
        S,
        r#"{"body": {"ProductName": [{"exists": true}]}}"#,
        r#"{"Product": "Widget"}"#,
        None,
        OPS,
    ),
    (
        S,
        r#"{"body": {"ProductName": [{"exists": false}]}}"#,
        r#"{"Product": "Widget"}"#,
        Some(0),
        OPS,
    ),
    (
        S,
        r#"{"body": {"ProductName": [{"exists": false}]}}"#,
        r#"{"ProductName": "Widget"}"#,
        None,
        OPS,
    ),
    (
        S,
        r#"{"body": {"Region": [{"prefix": "us-"}]}}"#,
        r#"{"Region": "us-east-1"}"#,
        Some(0),
        OPS,
    ),
    (
        S,
        r#"{"body": {"Region": [{"prefix": "us-"}]}}"#,
        r#"{"Region": "eu-west-1"}"#,
        None,
        OPS,
    ),
    (
        S,
        r#"{"body": {"FileName": [{"suffix": ".png"}]}}"#,
        r#"{"FileName": "photo.png"}"#,
        Some(0),
        OPS,
    ),
    (
        S,
        r#"{"body": {"FileName": [{"suffix": ".png"}]}}"#,
        r#"{"FileName": "photo.jpg"}"#,
        None,
        OPS,
    ),
    // "Your filters are logically ORed together": a record passes when one of them matches.
    (
        S,
        r#"[{"body": {"Day": ["Monday"]}}, {"body": {"Day": ["Friday"]}}]"#,
        r#"{"Day": "Friday"}"#,
        Some(1),
        OPS,
    ),
    (
        S,
        r#"[{"body": {"Day": ["Monday"]}}, {"body": {"Day": ["Friday"]}}]"#,
        r#"{"Day": "Sunday"}"#,
        None,
        OPS,
    ),
    // with-kinesis-filtering: filtering on `data`, the producer's JSON base64-encoded.
    (
        K,
        r#"{"data": {"order": {"type": ["buy"]}}}"#,
        r#"{"record": 12345, "order": {"type": "buy", "stock": "ANYCO", "quantity": 1000}}"#,
        Some(0),
        "with-kinesis-filtering",
    ),
    (
        K,
        r#"{"data": {"order": {"type": ["buy"]}}}"#,
        r#"{"kinesis": {"partitionKey": "1", "data": "eyJyZWNvcmQiOiAxMjM0NSwgIm9yZGVyIjogeyJ0eXBlIjogImJ1eSIsICJzdG9jayI6ICJBTllDTyIsICJxdWFudGl0eSI6IDEwMDB9fQ=="}, "eventSource": "aws:kinesis"}"#,
        Some(0),
        "with-kinesis-filtering",
    ),
    (
        K,
        r#"{"data": {"order": {"type": ["buy"]}}}"#,
        r#"{"Records": [{"kinesis": {"partitionKey": "1", "data": "eyJyZWNvcmQiOiAxMjM0NiwgIm9yZGVyIjogeyJ0eXBlIjogInNlbGwiLCAic3RvY2siOiAiQU5ZQ08iLCAicXVhbnRpdHkiOiA1MH19"}}]}"#,
        None,
        "with-kinesis-filtering",
    ),
    (
        K,
        r#"{"data": {"RequestCode": ["AAAA"]}}"#,
        r#"{"kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": "1", "sequenceNumber": "49590338271490256608559692538361571095921575989136588898", "data": "eyJSZWNvcmROdW1iZXIiOiAiMDAwMSIsICJUaW1lU3RhbXAiOiAieXl5eS1tbS1kZFRoaDptbTpzcyIsICJSZXF1ZXN0Q29kZSI6ICJBQUFBIn0=", "approximateArrivalTimestamp": 1545084650.987}, "eventSource": "aws:kinesis"}"#,
        Some(0),
        "with-kinesis-filtering",
    ),
    (
        K,
        r#"{"data": {"RecordNumber": ["0001"]}}"#,
        r#"{"kinesis": {"partitionKey": "1", "data": "eyJSZWNvcmROdW1iZXIiOiAiMDAwMSIsICJUaW1lU3RhbXAiOiAieXl5eS1tbS1kZFRoaDptbTpzcyIsICJSZXF1ZXN0Q29kZSI6ICJBQUFBIn0="}}"#,
        Some(0),
        "with-kinesis-filtering",
    ),
    (
        K,
        r#"{"data": {"RecordNumber": [1]}}"#,
        r#"{"kinesis": {"partitionKey": "1", "data": "eyJSZWNvcmROdW1iZXIiOiAiMDAwMSIsICJUaW1lU3RhbXAiOiAieXl5eS1tbS1kZFRoaDptbTpzcyIsICJSZXF1ZXN0Q29kZSI6ICJBQUFBIn0="}}"#,
        None,
        "with-kinesis-filtering",
    ),
    // "Kinesis event source mappings only support filtering on the data key".
    (
        K,
        r#"{"partitionKey": ["1"]}"#,
        r#"{"kinesis": {"partitionKey": "1", "data": "eyJyZWNvcmQiOiAxMjM0NSwgIm9yZGVyIjogeyJ0eXBlIjogImJ1eSIsICJzdG9jayI6ICJBTllDTyIsICJxdWFudGl0eSI6IDEwMDB9fQ=="}}"#,
        None,
        "with-kinesis-filtering",
    ),
    // Non-JSON data with a JSON pattern on data: "Lambda drops the record".
    (
        K,
        r#"{"data": {"order": {"type": ["buy"]}}}"#,
        r#"{"kinesis": {"partitionKey": "1", "data": "dGhpcyBpcyBub3QgSlNPTg=="}}"#,
        None,
        FORMATS,
    ),
    (
        K,
        r#"{"data": {"order": {"type": [{"exists": false}]}}}"#,
        r#"{"kinesis": {"partitionKey": "1", "data": "dGhpcyBpcyBub3QgSlNPTg=="}}"#,
        None,
        FORMATS,
    ),
    // with-ddb-filtering: table keys, NewImage attributes, type descriptors in the pattern.
    (
        D,
        r#"{"dynamodb": {"Keys": {"CustomerName": {"S": ["AnyCompany Industries"]}}}}"#,
        r#"{"eventID": "1", "eventVersion": "1.0", "dynamodb": {"ApproximateCreationDateTime": "1678831218.0", "Keys": {"CustomerName": {"S": "AnyCompany Industries"}}, "NewImage": {"AccountManager": {"S": "Pat Candella"}, "PaymentTerms": {"S": "60 days"}, "CustomerName": {"S": "AnyCompany Industries"}}, "SequenceNumber": "111", "SizeBytes": 26, "StreamViewType": "NEW_IMAGE"}}"#,
        Some(0),
        "with-ddb-filtering",
    ),
    (
        D,
        r#"{"dynamodb": {"Keys": {"CustomerName": {"S": ["AnyCompany Industries"]}}}}"#,
        r#"{"dynamodb": {"Keys": {"CustomerName": {"S": "Example Corp"}}}}"#,
        None,
        "with-ddb-filtering",
    ),
    (
        D,
        r#"{"dynamodb": {"NewImage": {"AccountManager": {"S": ["Pat Candella", "Shirley Rodriguez"]}}}}"#,
        r#"{"dynamodb": {"NewImage": {"AccountManager": {"S": "Pat Candella"}}}}"#,
        Some(0),
        "with-ddb-filtering",
    ),
    (
        D,
        r#"{"dynamodb": {"NewImage": {"AccountManager": {"S": ["Pat Candella", "Shirley Rodriguez"]}}}}"#,
        r#"{"dynamodb": {"NewImage": {"AccountManager": {"S": "Shirley Rodriguez"}}}}"#,
        Some(0),
        "with-ddb-filtering",
    ),
    (
        D,
        r#"{"dynamodb": {"NewImage": {"AccountManager": {"S": ["Pat Candella", "Shirley Rodriguez"]}}}}"#,
        r#"{"dynamodb": {"NewImage": {"AccountManager": {"S": "Alex Doe"}}}}"#,
        None,
        "with-ddb-filtering",
    ),
    // Several attributes of one image: all must match (AND).
    (
        D,
        r#"{"dynamodb": {"NewImage": {"AccountManager": {"S": ["Pat Candella"]}, "PaymentTerms": {"S": ["60 days"]}}}}"#,
        r#"{"dynamodb": {"NewImage": {"AccountManager": {"S": "Pat Candella"}, "PaymentTerms": {"S": "60 days"}, "CustomerName": {"S": "AnyCompany Industries"}}}}"#,
        Some(0),
        "with-ddb-filtering",
    ),
    (
        D,
        r#"{"dynamodb": {"NewImage": {"AccountManager": {"S": ["Pat Candella"]}, "PaymentTerms": {"S": ["60 days"]}}}}"#,
        r#"{"dynamodb": {"NewImage": {"AccountManager": {"S": "Pat Candella"}, "PaymentTerms": {"S": "30 days"}}}}"#,
        None,
        "with-ddb-filtering",
    ),
    // A map attribute (`M`): exists on the leaf inside it.
    (
        D,
        r#"{"dynamodb": {"NewImage": {"Order": {"M": {"Name": {"S": [{"exists": true}]}}}}}}"#,
        r#"{"dynamodb": {"NewImage": {"Order": {"M": {"Name": {"S": "Pat"}, "Total": {"N": "12"}}}}}}"#,
        Some(0),
        EB,
    ),
    (
        D,
        r#"{"dynamodb": {"NewImage": {"Order": {"M": {"Name": {"S": [{"exists": true}]}}}}}}"#,
        r#"{"dynamodb": {"NewImage": {"Order": {"M": {"Total": {"N": "12"}}}}}}"#,
        None,
        EB,
    ),
    // A record copied as its `dynamodb` object alone (the decoded payload).
    (
        D,
        r#"{"dynamodb": {"NewImage": {"PaymentTerms": {"S": ["60 days"]}}}}"#,
        r#"{"NewImage": {"PaymentTerms": {"S": "60 days"}}}"#,
        Some(0),
        "with-ddb-filtering",
    ),
    (
        D,
        r#"{"eventName": ["INSERT"]}"#,
        r#"{"Records": [{"eventName": "INSERT", "dynamodb": {"Keys": {"id": {"S": "1"}}}}]}"#,
        Some(0),
        "with-ddb-filtering",
    ),
    (
        D,
        r#"{"eventName": ["INSERT"]}"#,
        r#"{"eventName": "REMOVE", "dynamodb": {"Keys": {"id": {"S": "1"}}}}"#,
        None,
        "with-ddb-filtering",
    ),
    // DynamoDB numbers are strings under "N": a numeric rule sees a string, and misses.
    (
        D,
        r#"{"dynamodb": {"NewImage": {"Quantity": {"N": [{"numeric": [">", 10]}]}}}}"#,
        r#"{"dynamodb": {"NewImage": {"Quantity": {"N": "20"}}}}"#,
        None,
        EB,
    ),
    (
        D,
        r#"{"dynamodb": {"NewImage": {"Quantity": {"N": ["20"]}}}}"#,
        r#"{"dynamodb": {"NewImage": {"Quantity": {"N": "20"}}}}"#,
        Some(0),
        EB,
    ),
    (
        D,
        r#"{"dynamodb": {"NewImage": {"Active": {"BOOL": [true]}}}}"#,
        r#"{"dynamodb": {"NewImage": {"Active": {"BOOL": true}}}}"#,
        Some(0),
        "with-ddb-filtering",
    ),
    // exists looks at leaves: an attribute is an object ({"S": …}), its type key the leaf.
    (
        D,
        r#"{"dynamodb": {"NewImage": {"AccountManager": [{"exists": true}]}}}"#,
        r#"{"dynamodb": {"NewImage": {"AccountManager": {"S": "Pat Candella"}}}}"#,
        None,
        EB,
    ),
    (
        D,
        r#"{"dynamodb": {"NewImage": {"AccountManager": {"S": [{"exists": true}]}}}}"#,
        r#"{"dynamodb": {"NewImage": {"AccountManager": {"S": "Pat Candella"}}}}"#,
        Some(0),
        EB,
    ),
    (
        D,
        r#"{"dynamodb": {"OldImage": {"AccountManager": {"S": [{"exists": false}]}}}}"#,
        r#"{"dynamodb": {"NewImage": {"AccountManager": {"S": "Pat Candella"}}}}"#,
        Some(0),
        EB,
    ),
    // kafka-filtering / with-msk-filtering: `value`, JSON or plain string.
    (
        F,
        r#"{"value": {"device_ID": [{"prefix": "AB"}]}}"#,
        r#"{"device_ID": "AB1234", "session": {"start_time": "yyyy-mm-ddThh:mm:ss", "duration": 162}}"#,
        Some(0),
        "kafka-filtering",
    ),
    (
        F,
        r#"{"value": {"device_ID": [{"prefix": "AB"}]}}"#,
        r#"{"device_ID": "CD5678", "session": {"duration": 162}}"#,
        None,
        "kafka-filtering",
    ),
    (
        F,
        r#"{"value": {"device_ID": [{"prefix": "AB"}]}}"#,
        r#"{"mytopic-0": [{"topic": "mytopic", "partition": 0, "offset": 15, "timestamp": 1545084650987, "timestampType": "CREATE_TIME", "value": "eyJkZXZpY2VfSUQiOiAiQUIxMjM0IiwgInNlc3Npb24iOiB7InN0YXJ0X3RpbWUiOiAieXl5eS1tbS1kZFRoaDptbTpzcyIsICJkdXJhdGlvbiI6IDE2Mn19", "headers": []}]}"#,
        Some(0),
        "kafka-filtering",
    ),
    (
        F,
        r#"{"value": [{"anything-but": ["error"]}]}"#,
        r#"{"eventSource": "aws:kafka", "records": {"mytopic-0": [{"topic": "mytopic", "partition": 0, "offset": 15, "value": "ZXJyb3I="}]}}"#,
        None,
        "kafka-filtering",
    ),
    (
        F,
        r#"{"value": [{"anything-but": ["error"]}]}"#,
        r#"{"mytopic-0": [{"topic": "mytopic", "partition": 0, "offset": 15, "timestamp": 1545084650987, "timestampType": "CREATE_TIME", "value": "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==", "headers": []}]}"#,
        Some(0),
        "kafka-filtering",
    ),
    (
        F,
        r#"{"value": [{"anything-but": ["error"]}]}"#,
        r#""all good""#,
        Some(0),
        "kafka-filtering",
    ),
    (
        F,
        r#"{"value": [{"anything-but": ["error"]}]}"#,
        r#""error""#,
        None,
        "kafka-filtering",
    ),
    // Plain-string data with a JSON pattern, JSON data with a plain-string pattern: dropped.
    (
        F,
        r#"{"value": {"device_ID": [{"prefix": "AB"}]}}"#,
        r#"{"topic": "mytopic", "partition": 0, "offset": 15, "value": "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg=="}"#,
        None,
        FORMATS,
    ),
    (
        F,
        r#"{"value": [{"prefix": "{"}]}"#,
        r#"{"topic": "mytopic", "partition": 0, "offset": 15, "value": "eyJkZXZpY2VfSUQiOiAiQUIxMjM0IiwgInNlc3Npb24iOiB7InN0YXJ0X3RpbWUiOiAieXl5eS1tbS1kZFRoaDptbTpzcyIsICJkdXJhdGlvbiI6IDE2Mn19"}"#,
        None,
        FORMATS,
    ),
    // "only support filtering on the value key".
    (
        F,
        r#"{"topic": ["mytopic"]}"#,
        r#"{"topic": "mytopic", "partition": 0, "offset": 15, "value": "ZXJyb3I="}"#,
        None,
        "kafka-filtering",
    ),
    // Not UTF-8: Lambda decodes Kafka and MQ messages as UTF-8 first.
    (
        F,
        r#"{"value": [{"exists": true}]}"#,
        r#"{"topic": "t", "partition": 0, "offset": 1, "value": "//4A"}"#,
        None,
        "kafka-filtering",
    ),
    // with-mq-filtering: `data`, ActiveMQ and RabbitMQ.
    (
        M,
        r#"{"data": {"timeout": [{"numeric": [">", 0]}]}}"#,
        r#"{"timeout": 0, "IPAddress": "203.0.113.254"}"#,
        None,
        "with-mq-filtering",
    ),
    (
        M,
        r#"{"data": {"timeout": [{"numeric": [">", 0]}]}}"#,
        r#"{"timeout": 30, "IPAddress": "203.0.113.254"}"#,
        Some(0),
        "with-mq-filtering",
    ),
    (
        M,
        r#"{"data": {"timeout": [{"numeric": [">", 0]}]}}"#,
        r#"{"messages": [{"messageID": "ID:1", "messageType": "jms/text-message", "data": "eyJ0aW1lb3V0IjogMzAsICJJUEFkZHJlc3MiOiAiMjAzLjAuMTEzLjI1NCJ9"}]}"#,
        Some(0),
        "with-mq-filtering",
    ),
    (
        M,
        r#"{"data": {"timeout": [{"numeric": [">", 0]}]}}"#,
        r#"{"rmqMessagesByQueue": {"pizzaQueue::/": [{"basicProperties": {"contentType": "text/plain"}, "redelivered": false, "data": "eyJ0aW1lb3V0IjowLCJkYXRhIjoiQ1pybWYwR3c4T3Y0YnFMUXhENEUifQ=="}]}}"#,
        None,
        "with-mq-filtering",
    ),
    (
        M,
        r#"{"data": [{"prefix": "Result: "}]}"#,
        r#""Result: 42""#,
        Some(0),
        "with-mq-filtering",
    ),
    (
        M,
        r#"{"data": [{"prefix": "Result: "}]}"#,
        r#"{"messageID": "ID:2", "messageType": "jms/text-message", "data": "UmVzdWx0OiA0Mg=="}"#,
        Some(0),
        "with-mq-filtering",
    ),
    (
        M,
        r#"{"data": [{"prefix": "Result: "}]}"#,
        r#"{"messageID": "ID:b-9bcfa592", "messageType": "jms/text-message", "deliveryMode": 1, "destination": {"physicalName": "testQueue"}, "data": "QUJDOkFBQUE="}"#,
        None,
        "with-mq-filtering",
    ),
    (
        M,
        r#"{"data": [{"prefix": "ABC:"}]}"#,
        r#"{"messageID": "ID:b-9bcfa592", "messageType": "jms/text-message", "destination": {"physicalName": "testQueue"}, "data": "QUJDOkFBQUE="}"#,
        Some(0),
        "with-mq-filtering",
    ),
    (
        M,
        r#"{"data": {"timeout": [{"numeric": [">", 0]}]}}"#,
        r#"{"messageID": "ID:3", "messageType": "jms/text-message", "data": "UmVzdWx0OiA0Mg=="}"#,
        None,
        FORMATS,
    ),
    (
        M,
        r#"{"data": [{"prefix": "Result: "}]}"#,
        r#"{"messageID": "ID:4", "messageType": "jms/bytes-message", "data": "//4A"}"#,
        None,
        "with-mq-filtering",
    ),
    (
        M,
        r#"{"destination": {"physicalName": ["testQueue"]}}"#,
        r#"{"messageID": "ID:5", "messageType": "jms/text-message", "destination": {"physicalName": "testQueue"}, "data": "QUJDOkFBQUE="}"#,
        None,
        "with-mq-filtering",
    ),
    // with-sqs-filtering: `body`.
    (
        S,
        r#"{"body": {"RequestCode": ["BBBB"]}}"#,
        r#"{"messageId": "059f36b4-87a3-44ab-83d2-661975830a7d", "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...", "body": "{\n \"RecordNumber\": 1234,\n \"TimeStamp\": \"yyyy-mm-ddThh:mm:ss\",\n \"RequestCode\": \"AAAA\"\n}", "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {}, "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3", "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-west-2:123456789012:my-queue", "awsRegion": "us-west-2"}"#,
        None,
        "with-sqs-filtering",
    ),
    (
        S,
        r#"{"body": {"RequestCode": ["BBBB"]}}"#,
        r#"{"Records": [{"messageId": "1", "body": "{\"RecordNumber\": 1234, \"RequestCode\": \"BBBB\"}"}]}"#,
        Some(0),
        "with-sqs-filtering",
    ),
    (
        S,
        r#"{"body": {"RecordNumber": [{"numeric": [">", 9999]}]}}"#,
        r#"{"RecordNumber": 1234, "TimeStamp": "yyyy-mm-ddThh:mm:ss", "RequestCode": "AAAA"}"#,
        None,
        "with-sqs-filtering",
    ),
    (
        S,
        r#"{"body": {"RecordNumber": [{"numeric": [">", 9999]}]}}"#,
        r#"{"RecordNumber": 10000, "RequestCode": "AAAA"}"#,
        Some(0),
        "with-sqs-filtering",
    ),
    // The SQS format table: JSON body with a plain-string pattern, plain body with a JSON
    // pattern, both dropped; plain with plain filtered.
    (
        S,
        r#"{"body": [{"prefix": "order"}]}"#,
        r#"{"messageId": "2", "body": "{\"RequestCode\": \"AAAA\"}"}"#,
        None,
        FORMATS,
    ),
    (
        S,
        r#"{"body": {"RequestCode": ["AAAA"]}}"#,
        r#"{"messageId": "3", "body": "RequestCode=AAAA"}"#,
        None,
        FORMATS,
    ),
    (
        S,
        r#"{"body": [{"prefix": "order"}]}"#,
        r#"{"messageId": "4", "body": "order 17 shipped"}"#,
        Some(0),
        FORMATS,
    ),
    (
        S,
        r#"{"body": ["order 17 shipped"]}"#,
        r#"{"messageId": "5", "body": "order 17 shipped"}"#,
        Some(0),
        FORMATS,
    ),
    // Exact matching: by type, character by character, numbers by their text.
    (
        S,
        r#"{"body": {"Price": [300]}}"#,
        r#"{"Price": 300}"#,
        Some(0),
        EB,
    ),
    (
        S,
        r#"{"body": {"Price": [300]}}"#,
        r#"{"Price": 300.0}"#,
        None,
        EB,
    ),
    (
        S,
        r#"{"body": {"Price": [300]}}"#,
        r#"{"Price": 3.0e2}"#,
        None,
        EB,
    ),
    (
        S,
        r#"{"body": {"Price": [{"numeric": ["=", 300]}]}}"#,
        r#"{"Price": 3.0e2}"#,
        Some(0),
        EB,
    ),
    (
        S,
        r#"{"body": {"Price": ["300"]}}"#,
        r#"{"Price": 300}"#,
        None,
        EB,
    ),
    (
        S,
        r#"{"body": {"Price": [300]}}"#,
        r#"{"Price": "300"}"#,
        None,
        EB,
    ),
    (
        S,
        r#"{"body": {"Active": [true]}}"#,
        r#"{"Active": true}"#,
        Some(0),
        EB,
    ),
    (
        S,
        r#"{"body": {"Active": ["true"]}}"#,
        r#"{"Active": true}"#,
        None,
        EB,
    ),
    (
        S,
        r#"{"body": {"Name": ["Alice"]}}"#,
        r#"{"Name": "alice"}"#,
        None,
        EB,
    ),
    (
        S,
        r#"{"body": {"LastName": [""]}}"#,
        r#"{"LastName": null}"#,
        None,
        EB,
    ),
    (
        S,
        r#"{"body": {"UserID": [null]}}"#,
        r#"{"UserID": ""}"#,
        None,
        EB,
    ),
    (
        S,
        r#"{"body": {"UserID": [null]}}"#,
        r#"{"Name": "Alice"}"#,
        None,
        EB,
    ),
    // Arrays in records match element-wise (a non-empty intersection).
    (
        K,
        r#"{"data": {"tags": ["urgent"]}}"#,
        r#"{"tags": ["new", "urgent"]}"#,
        Some(0),
        EB,
    ),
    (
        K,
        r#"{"data": {"tags": ["urgent"]}}"#,
        r#"{"tags": ["new", "late"]}"#,
        None,
        EB,
    ),
    (
        K,
        r#"{"data": {"sizes": [{"numeric": [">", 10]}]}}"#,
        r#"{"sizes": [3, 12]}"#,
        Some(0),
        EB,
    ),
    (
        K,
        r#"{"data": {"items": {"sku": [{"prefix": "A-"}]}}}"#,
        r#"{"items": [{"sku": "B-1"}, {"sku": "A-7"}]}"#,
        Some(0),
        EB,
    ),
    // prefix and suffix are case-sensitive unless wrapped in equals-ignore-case.
    (
        K,
        r#"{"data": {"Region": [{"prefix": "us-"}]}}"#,
        r#"{"Region": "US-east-1"}"#,
        None,
        EB,
    ),
    (
        K,
        r#"{"data": {"source": [{"prefix": {"equals-ignore-case": "EventB"}}]}}"#,
        r#"{"source": "eventbridge.example"}"#,
        Some(0),
        EB,
    ),
    (
        K,
        r#"{"data": {"FileName": [{"suffix": ".png"}]}}"#,
        r#"{"FileName": "photo.PNG"}"#,
        None,
        EB,
    ),
    (
        K,
        r#"{"data": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}}"#,
        r#"{"FileName": "photo.PNG"}"#,
        Some(0),
        EB,
    ),
    (
        K,
        r#"{"data": {"Region": [{"prefix": "us-"}]}}"#,
        r#"{"Region": 5}"#,
        None,
        EB,
    ),
    // anything-but: one value, a list of strings, a list of numbers.
    (
        F,
        r#"{"value": {"state": [{"anything-but": "initializing"}]}}"#,
        r#"{"state": "running"}"#,
        Some(0),
        EB,
    ),
    (
        F,
        r#"{"value": {"state": [{"anything-but": "initializing"}]}}"#,
        r#"{"state": "initializing"}"#,
        None,
        EB,
    ),
    (
        F,
        r#"{"value": {"code": [{"anything-but": [100, 200]}]}}"#,
        r#"{"code": 300}"#,
        Some(0),
        EB,
    ),
    (
        F,
        r#"{"value": {"code": [{"anything-but": [100, 200]}]}}"#,
        r#"{"code": 200}"#,
        None,
        EB,
    ),
    // numeric: bounds, and numbers only.
    (
        M,
        r#"{"data": {"Price": [{"numeric": [">", 10, "<=", 20]}]}}"#,
        r#"{"Price": 10}"#,
        None,
        OPS,
    ),
    (
        M,
        r#"{"data": {"Price": [{"numeric": [">", 10, "<=", 20]}]}}"#,
        r#"{"Price": 20}"#,
        Some(0),
        OPS,
    ),
    (
        M,
        r#"{"data": {"Price": [{"numeric": [">=", 10, "<", 20]}]}}"#,
        r#"{"Price": 10}"#,
        Some(0),
        EB,
    ),
    (
        M,
        r#"{"data": {"Price": [{"numeric": [">=", 10, "<", 20]}]}}"#,
        r#"{"Price": 20}"#,
        None,
        EB,
    ),
    (
        M,
        r#"{"data": {"Price": [{"numeric": ["<", 0]}]}}"#,
        r#"{"Price": -0.5}"#,
        Some(0),
        EB,
    ),
    (
        M,
        r#"{"data": {"Price": [{"numeric": [">", 10]}]}}"#,
        r#"{"Price": "15"}"#,
        None,
        EB,
    ),
    (
        M,
        r#"{"data": {"Price": [{"numeric": [">", 10]}]}}"#,
        r#"{"Cost": 15}"#,
        None,
        EB,
    ),
    // exists on leaves; exists false on an absent parent.
    (
        S,
        r#"{"body": {"customer": {"email": [{"exists": true}]}}}"#,
        r#"{"customer": {"email": "a@example.com"}}"#,
        Some(0),
        EB,
    ),
    (
        S,
        r#"{"body": {"customer": {"email": [{"exists": true}]}}}"#,
        r#"{"customer": {"phone": "555-1234"}}"#,
        None,
        EB,
    ),
    (
        S,
        r#"{"body": {"customer": [{"exists": true}]}}"#,
        r#"{"customer": {"email": "a@example.com"}}"#,
        None,
        EB,
    ),
    (
        S,
        r#"{"body": {"customer": {"email": [{"exists": false}]}}}"#,
        r#"{"order": 1}"#,
        Some(0),
        EB,
    ),
    // A nested pattern on a value that is not an object misses.
    (
        S,
        r#"{"body": {"order": {"type": ["buy"]}}}"#,
        r#"{"order": "buy"}"#,
        None,
        EB,
    ),
    // $or inside a nested pattern.
    (
        D,
        r#"{"dynamodb": {"NewImage": {"$or": [{"Status": {"S": ["OPEN"]}}, {"Priority": {"N": ["1"]}}]}}}"#,
        r#"{"dynamodb": {"NewImage": {"Status": {"S": "CLOSED"}, "Priority": {"N": "1"}}}}"#,
        Some(0),
        OPS,
    ),
    (
        D,
        r#"{"dynamodb": {"NewImage": {"$or": [{"Status": {"S": ["OPEN"]}}, {"Priority": {"N": ["1"]}}]}}}"#,
        r#"{"dynamodb": {"NewImage": {"Status": {"S": "CLOSED"}, "Priority": {"N": "2"}}}}"#,
        None,
        OPS,
    ),
];

fn check(case: &Case) -> Result<(), String> {
    let (source, pattern_text, record_text, expected, doc) = *case;
    let pattern = parse(pattern_text, 0).map_err(|e| format!("pattern: {e:?}"))?;
    let patterns = match pattern.as_array() {
        Some(items) => items.to_vec(),
        None => vec![pattern.clone()],
    };
    // Every AWS example is a pattern the validator accepts.
    let list = streaming_events_yaml::Node::new(
        streaming_events_yaml::Value::Seq(patterns.iter().map(|p| p.to_node()).collect()),
        pattern.span,
    );
    let errors: Vec<String> = check_filter_patterns(&list, "p", source)
        .into_iter()
        .filter(|d| d.is_error())
        .map(|d| d.message)
        .collect();
    if !errors.is_empty() {
        return Err(format!("the validator rejects the pattern: {errors:?}"));
    }
    let record = parse(record_text, 1).map_err(|e| format!("record: {e:?}"))?;
    let found = records(&record, source).map_err(|e| format!("record: {}", e.message))?;
    let [one] = found.as_slice() else {
        return Err(format!("{} records, expected one", found.len()));
    };
    let verdict = evaluate(&patterns, one, source);
    let got = match &verdict {
        Verdict::Matched(i) => Some(*i),
        Verdict::Missed(_) => None,
    };
    if got != expected {
        return Err(format!("{doc}: expected {expected:?}, got {verdict:?}"));
    }
    if let Verdict::Missed(misses) = &verdict {
        if misses.len() != patterns.len() || misses.iter().any(|m| m.reason.is_empty()) {
            return Err(format!("every filter explains its miss: {misses:?}"));
        }
    }
    Ok(())
}

#[test]
fn every_documented_case_gets_its_verdict() {
    let failures: Vec<String> = CASES
        .iter()
        .filter_map(|case| {
            check(case)
                .err()
                .map(|e| format!("{} / {}: {e}", case.1, case.2))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(CASES.len() >= 80, "{} cases", CASES.len());
    for source in [K, D, F, M, S] {
        assert!(
            CASES.iter().filter(|c| c.0 == source).count() >= 8,
            "{source:?}"
        );
    }
}

#[test]
fn misses_name_the_field_and_the_value_seen() {
    let explain = |source, pattern: &str, record: &str| {
        let pattern = parse(pattern, 0).unwrap();
        let record = parse(record, 1).unwrap();
        let found = records(&record, source).unwrap();
        match evaluate(&[pattern], &found[0], source) {
            Verdict::Missed(misses) => misses[0].to_string(),
            Verdict::Matched(_) => panic!("matched"),
        }
    };
    assert_eq!(
        explain(
            K,
            r#"{"data": {"order": {"type": ["buy"]}}}"#,
            r#"{"order": {"type": "sell"}}"#
        ),
        r#"data.order.type: "sell" does not match ["buy"]"#
    );
    assert_eq!(
        explain(S, r#"{"body": {"Price": [300]}}"#, r#"{"Price": 300.0}"#),
        r#"body.Price: 300.0 does not match [300] (Lambda compares numbers in exact matches by their text: 300.0 is not 300; use {"numeric": ["=", 300]})"#
    );
    assert_eq!(
        explain(
            K,
            r#"{"data": {"kind": ["a"]}}"#,
            r#"{"kinesis": {"partitionKey": "1", "data": "dGhpcyBpcyBub3QgSlNPTg=="}}"#
        ),
        r#"data: the payload is not JSON ("this is not JSON"), so Lambda drops the record for a pattern on its fields"#
    );
    assert_eq!(
        explain(S, r#"{"body": {"Name": ["Alice"]}}"#, r#"{"Other": 1}"#),
        r#"body.Name: the field is absent; the pattern needs ["Alice"]"#
    );
}
