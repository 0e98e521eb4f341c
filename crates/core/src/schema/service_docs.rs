//! What the editor schema says about the service outside its events: the top level, `provider`
//! and each function's own properties ([`super::service`] has their schemas). A property added
//! there needs its line here: the export's test fails on a property without a description.

use super::export::{doc, DocScope, PropertyDoc};

/// Where a setting the Framework handles (not streaming-events) is described.
const FRAMEWORK: &str = "";

/// The top level of `serverless.yml`.
pub const ROOT_DOCS: &[PropertyDoc] = &[
    doc("service", "The service's name: a letter, then letters, digits and `-`. It starts the stack's name, the function names and the IAM role's name.", FRAMEWORK, "none (required)"),
    doc("frameworkVersion", "The Serverless Framework versions the service is written for (a semver range such as `'3'`).", FRAMEWORK, "any version"),
    doc("configValidationMode", "What a value the schema does not allow is: an error, a warning, or nothing. The compilers' own errors are errors in every mode.", FRAMEWORK, "warn")
        .values(&[("error", "a schema violation fails the run (as `--strict`)"), ("warn", "a schema violation is a warning; the run goes on"), ("off", "schema violations are not reported")]),
    doc("console", "Serverless Console settings (Framework v3).", FRAMEWORK, "none"),
    doc("custom", "Free-form values for `${self:custom.…}` variables and plugins' settings (`custom.streamingEvents` for the plugin).", FRAMEWORK, "none"),
    doc("dashboard", "Serverless Dashboard settings.", FRAMEWORK, "none"),
    doc("deprecationNotificationMode", "How the Framework reports deprecated settings.", FRAMEWORK, "warn:summary")
        .values(&[("error", "a deprecation fails the command"), ("warn", "each deprecation is a warning when found"), ("warn:summary", "the deprecations are listed once, at the end")]),
    doc("disabledDeprecations", "Deprecation codes the Framework does not report (`*` for all).", FRAMEWORK, "none")
        .values(&[("*", "every deprecation")]),
    doc("functions", "The service's Lambda functions, by name (a mapping, or a list of mappings that are merged).", "one `AWS::Lambda::Function` each", "none"),
    doc("package", "How the Framework packages the code (patterns, individually, artifact).", FRAMEWORK, "one package for the service"),
    doc("params", "Values for `${param:…}` per stage (`default` for every stage); `--param KEY=VALUE` overrides them.", FRAMEWORK, "none"),
    doc("stages", "Per-stage settings (Framework v4: `stages.<stage>.params`, read by `${param:…}`, with `stages.default`).", FRAMEWORK, "none"),
    doc("plugins", "Framework plugins. streaming-events does not run them: a plugin's variables or changes are not seen (use the plugin `serverless-streaming-events` inside the Framework for those).", FRAMEWORK, "none"),
    doc("projectDir", "The project's root folder, for `${file(…)}` paths that leave the service's folder.", FRAMEWORK, "the service's folder"),
    doc("provider", "The cloud provider (`name: aws`) and the settings every function shares.", FRAMEWORK, "none (required)"),
    doc("useDotenv", "`true`: the `.env` and `.env.<stage>` files of the service's folder are read into `${env:…}`.", FRAMEWORK, "not set: no .env files"),
    doc("variablesResolutionMode", "The Framework v2 variables resolver to use (ignored by v3).", FRAMEWORK, "20210326")
        .values(&[("20210219", "the older v2 resolver"), ("20210326", "the resolver v3 uses")]),
    doc("resources", "CloudFormation to add to the stack: `Resources`, `Outputs`, `Conditions`…, and `extensions` to change generated resources; deep-merged over what is generated.", "the template's sections", "none"),
    doc("layers", "Lambda layers the service builds.", "`AWS::Lambda::LayerVersion`", "none"),
    doc("org", "The Serverless Dashboard organisation.", FRAMEWORK, "none"),
    doc("app", "The Serverless Dashboard application.", FRAMEWORK, "none"),
    doc("outputs", "Serverless Dashboard outputs of the service.", FRAMEWORK, "none"),
];

/// `provider.iam.role` and a function's `iam.role` when they are the role's settings.
const ROLE_DOCS: &[PropertyDoc] = &[
    doc("name", "The role's name (at most 64 characters).", "`AWS::IAM::Role` `RoleName`", "`<service>-<stage>-<region>-lambdaRole` (per function: with the function's name)"),
    doc("path", "The role's IAM path (`/` or `/…/`).", "`AWS::IAM::Role` `Path`", "/"),
    doc("managedPolicies", "ARNs of managed policies attached to the role.", "`AWS::IAM::Role` `ManagedPolicyArns`", "none (the VPC access policy is added for functions in a VPC)"),
    doc("statements", "IAM statements added to the role's policy, beside the permissions the events need.", "`AWS::IAM::Role` `Policies[].PolicyDocument.Statement`", "none"),
    doc("permissionsBoundary", "The ARN of the managed policy that bounds the role's permissions.", "`AWS::IAM::Role` `PermissionsBoundary`", "none"),
    doc("tags", "Tags of the role.", "`AWS::IAM::Role` `Tags`", "none"),
    doc("mode", "Framework v4: `perFunction` gives every function a role of its own; `shared` one role for all.", "one `AWS::IAM::Role` per function, or one", "shared")
        .values(&[("perFunction", "a role per function, with only the permissions of its events"), ("shared", "one role, `IamRoleLambdaExecution`, for every function")]),
    doc("deploymentRole", "The ARN of the role CloudFormation deploys the stack with.", "the stack's role (`--role-arn`)", "none: the caller's credentials"),
];

/// One IAM statement (`iam.role.statements[]`, `iamRoleStatements[]`).
const STATEMENT_DOCS: &[PropertyDoc] = &[
    doc("Sid", "The statement's id.", "`Statement[].Sid`", "none"),
    doc("Effect", "Whether the statement allows or denies.", "`Statement[].Effect`", "none (required)")
        .values(&[("Allow", "grants the actions on the resources"), ("Deny", "refuses them, whatever else allows them")]),
    doc("Action", "The actions (`service:Action`, wildcards allowed); exactly one of `Action` and `NotAction`.", "`Statement[].Action`", "none"),
    doc("NotAction", "Every action except these; exactly one of `Action` and `NotAction`.", "`Statement[].NotAction`", "none"),
    doc("Principal", "Who the statement applies to (resource policies only).", "`Statement[].Principal`", "none"),
    doc("NotPrincipal", "Everyone except these principals (resource policies only).", "`Statement[].NotPrincipal`", "none"),
    doc("Resource", "The resources (ARNs, wildcards and intrinsic functions allowed); exactly one of `Resource` and `NotResource`.", "`Statement[].Resource`", "none"),
    doc("NotResource", "Every resource except these; exactly one of `Resource` and `NotResource`.", "`Statement[].NotResource`", "none"),
    doc("Condition", "When the statement applies (condition operators and keys).", "`Statement[].Condition`", "always"),
];

/// `provider.vpc` and a function's `vpc`.
const VPC_DOCS: &[PropertyDoc] = &[
    doc(
        "securityGroupIds",
        "The security groups of the function's network interfaces (at most 5).",
        "`AWS::Lambda::Function` `VpcConfig.SecurityGroupIds`",
        "none",
    ),
    doc(
        "subnetIds",
        "The subnets the function's network interfaces are in (at most 16).",
        "`AWS::Lambda::Function` `VpcConfig.SubnetIds`",
        "none",
    ),
    doc(
        "ipv6AllowedForDualStack",
        "Let the function use IPv6 in dual-stack subnets.",
        "`AWS::Lambda::Function` `VpcConfig.Ipv6AllowedForDualStack`",
        "not set: false",
    ),
];

/// Settings `provider` and a function both have (the function's wins).
const SHARED_DOCS: &[PropertyDoc] = &[
    doc("architecture", "The instruction set the functions run on.", "`AWS::Lambda::Function` `Architectures`", "x86_64")
        .values(&[("arm64", "AWS Graviton (64-bit Arm)"), ("x86_64", "64-bit x86")]),
    doc("environment", "Environment variables of the functions (names of letters, digits and `_`, starting with a letter).", "`AWS::Lambda::Function` `Environment.Variables`", "none"),
    doc("kmsKeyArn", "The KMS key that encrypts the environment variables.", "`AWS::Lambda::Function` `KmsKeyArn`", "not set: an AWS managed key"),
    doc("layers", "Layer version ARNs the functions use (at most 5).", "`AWS::Lambda::Function` `Layers`", "none"),
    doc("logRetentionInDays", "How long CloudWatch Logs keeps the functions' logs, in days (one of the values CloudWatch allows).", "`AWS::Logs::LogGroup` `RetentionInDays`", "not set: forever"),
    doc("logDataProtectionPolicy", "A CloudWatch Logs data protection policy for the functions' log groups.", "`AWS::Logs::LogGroup` `DataProtectionPolicy`", "none"),
    doc("memorySize", "Memory of each instance in MB (128–10240); CPU grows with it.", "`AWS::Lambda::Function` `MemorySize`", "1024"),
    doc("role", "The role the functions run under instead of the generated one: a name, an ARN or an intrinsic function. streaming-events then adds no permission to it and warns what it needs (D2).", "`AWS::Lambda::Function` `Role`", "the generated `IamRoleLambdaExecution`"),
    doc("runtime", "The Lambda runtime.", "`AWS::Lambda::Function` `Runtime`", "nodejs16.x (the Framework 3.40's default)")
        .values(RUNTIME_DOCS),
    doc("runtimeManagement", "When the runtime is updated (`auto`, `onFunctionUpdate` or a runtime version ARN).", "`AWS::Lambda::Function` `RuntimeManagementConfig`", "auto"),
    doc("tags", "Tags of the functions (provider: of every resource of the stack that takes tags).", "`Tags`", "none"),
    doc("timeout", "How long one invocation may run, in seconds (1–900).", "`AWS::Lambda::Function` `Timeout`", "6"),
    doc("tracing", "AWS X-Ray tracing: `Active`, `PassThrough`, or true/false (provider: `{lambda, apiGateway}`).", "`AWS::Lambda::Function` `TracingConfig.Mode`", "not set: PassThrough")
        .values(&[("Active", "sample and trace invocations"), ("PassThrough", "trace only requests that arrive traced")]),
    doc("vpc", "The VPC the functions connect to (subnets and security groups); adds the VPC access policy to the role.", "`AWS::Lambda::Function` `VpcConfig`", "no VPC"),
    doc("httpApi", "HTTP API settings (handled by the Framework).", FRAMEWORK, "none"),
    doc("iamRoleStatements", "IAM statements added to the role (the older spelling of `iam.role.statements`; per function, `serverless-iam-roles-per-function`'s).", "`AWS::IAM::Role` `Policies[].PolicyDocument.Statement`", "none"),
];

/// A function's own properties.
const FUNCTION_DOCS: &[PropertyDoc] = &[
    doc("name", "The function's name in Lambda (at most 64 characters of letters, digits, `-` and `_`).", "`AWS::Lambda::Function` `FunctionName`", "`<service>-<stage>-<function key>`"),
    doc("events", "What invokes the function: streams, queues and topics (compiled by streaming-events) and every other event kind (left to the Framework).", "`AWS::Lambda::EventSourceMapping` and others", "none"),
    doc("awsKmsKeyArn", "The KMS key that encrypts the environment variables (the older spelling of `kmsKeyArn`).", "`AWS::Lambda::Function` `KmsKeyArn`", "not set: an AWS managed key"),
    doc("condition", "A condition of `resources.Conditions` the function's resources get.", "`Condition` of the function's resources", "none"),
    doc("dependsOn", "Resources the function waits for.", "`DependsOn`", "none"),
    doc("description", "The function's description (at most 256 characters).", "`AWS::Lambda::Function` `Description`", "none"),
    doc("destinations", "Where asynchronous invocations' results go (`onSuccess`, `onFailure`).", "`AWS::Lambda::EventInvokeConfig` `DestinationConfig`", "none"),
    doc("disableLogs", "`true`: no log group and no logging permissions for the function.", "the `AWS::Logs::LogGroup` is left out", "false"),
    doc("ephemeralStorageSize", "Size of `/tmp` in MB (512–10240).", "`AWS::Lambda::Function` `EphemeralStorage.Size`", "512"),
    doc("fileSystemConfig", "An EFS access point the function mounts (`arn`, `localMountPath`); needs `vpc`.", "`AWS::Lambda::Function` `FileSystemConfigs`", "none"),
    doc("handler", "The code's entry point (`file.export` for Node.js); exactly one of `handler` and `image`.", "`AWS::Lambda::Function` `Handler`", "none"),
    doc("image", "A container image the function runs (an ECR URI or `provider.ecr.images` name); exactly one of `handler` and `image`.", "`AWS::Lambda::Function` `Code.ImageUri`", "none"),
    doc("snapStart", "Lambda SnapStart for Java (not with `provisionedConcurrency`).", "`AWS::Lambda::Function` `SnapStart.ApplyOn: PublishedVersions`", "false"),
    doc("maximumEventAge", "How long an asynchronous event may wait, in seconds (60–21600).", "`AWS::Lambda::EventInvokeConfig` `MaximumEventAgeInSeconds`", "not set: 21600"),
    doc("maximumRetryAttempts", "How often a failed asynchronous invocation is retried (0–2).", "`AWS::Lambda::EventInvokeConfig` `MaximumRetryAttempts`", "not set: 2"),
    doc("onError", "An SNS topic or SQS queue ARN for failed asynchronous invocations.", "`AWS::Lambda::Function` `DeadLetterConfig.TargetArn`", "none"),
    doc("package", "How the function's code is packaged when `package.individually` is set.", FRAMEWORK, "the service's package"),
    doc("provisionedConcurrency", "Instances kept initialised (on the function's alias).", "`AWS::Lambda::Alias` `ProvisionedConcurrencyConfig`", "none"),
    doc("reservedConcurrency", "Instances reserved for (and the most allowed to) the function.", "`AWS::Lambda::Function` `ReservedConcurrentExecutions`", "none"),
    doc("url", "A function URL (`true`, or `{authorizer, cors, invokeMode}`).", "`AWS::Lambda::Url`", "none"),
    doc("versionFunction", "Publish a version on each deployment (overrides `provider.versionFunctions`).", "`AWS::Lambda::Version`", "provider.versionFunctions"),
    doc("iam", "Framework v4: the function's own role (`iam.role`) and whether it inherits the provider's statements.", "the function's `AWS::IAM::Role`", "the shared role"),
    doc("iam.role", "The settings of the function's own role.", "the function's `AWS::IAM::Role`", "none"),
    doc("iam.inheritStatements", "The function's role also gets `provider.iam.role.statements`.", "`AWS::IAM::Role` `Policies`", "false"),
    doc("iamRoleStatementsName", "The name of the function's own role (`serverless-iam-roles-per-function`).", "`AWS::IAM::Role` `RoleName`", "`<service>-<stage>-<function>-<region>-lambdaRole`"),
    doc("iamRoleStatementsInherit", "The function's own role also gets the provider's statements (`serverless-iam-roles-per-function`).", "`AWS::IAM::Role` `Policies`", "false"),
    doc("iamPermissionsBoundary", "The permissions boundary of the function's own role (`serverless-iam-roles-per-function`).", "`AWS::IAM::Role` `PermissionsBoundary`", "none"),
];

/// `provider`'s own properties.
const PROVIDER_DOCS: &[PropertyDoc] = &[
    doc("name", "The cloud provider: `aws`.", FRAMEWORK, "none (required)"),
    doc("alb", "Application Load Balancer settings (handled by the Framework).", FRAMEWORK, "none"),
    doc("apiGateway", "API Gateway REST API settings (handled by the Framework).", FRAMEWORK, "none"),
    doc("apiName", "The REST API's name.", "`AWS::ApiGateway::RestApi` `Name`", "`<stage>-<service>`"),
    doc("cfnRole", "The ARN of the role CloudFormation deploys the stack with.", "the stack's role", "none: the caller's credentials"),
    doc("cloudFront", "CloudFront settings (handled by the Framework).", FRAMEWORK, "none"),
    doc("deploymentBucket", "The S3 bucket the packages are uploaded to (a name or settings).", "replaces `ServerlessDeploymentBucket`", "a bucket created in the stack"),
    doc("deploymentPrefix", "The key prefix of the uploads in the deployment bucket.", FRAMEWORK, "serverless"),
    doc("disableRollback", "Keep the resources of a failed deployment instead of rolling back.", "the stack's `DisableRollback`", "false"),
    doc("endpointType", "The REST API's endpoint type (`edge`, `regional`, `private`).", "`AWS::ApiGateway::RestApi` `EndpointConfiguration`", "edge"),
    doc("eventBridge", "EventBridge settings (handled by the Framework).", FRAMEWORK, "none"),
    doc("iam", "The shared role (`iam.role`) and the deployment role.", "`IamRoleLambdaExecution`", "the generated role"),
    doc("iam.role", "The shared role: a role name, ARN or intrinsic function to use instead of the generated one, or the generated role's settings.", "`IamRoleLambdaExecution`", "the generated role"),
    doc("iamManagedPolicies", "Managed policy ARNs attached to the shared role (the older spelling of `iam.role.managedPolicies`).", "`AWS::IAM::Role` `ManagedPolicyArns`", "none"),
    doc("ecr", "Container images the Framework builds (`ecr.images`).", FRAMEWORK, "none"),
    doc("lambdaHashingVersion", "How Framework v2 hashed function code (ignored by v3).", FRAMEWORK, "20201221"),
    doc("logs", "Logging settings of API Gateway, WebSockets and Lambda (`logs.lambda`).", FRAMEWORK, "none"),
    doc("notificationArns", "SNS topics that receive the stack's events.", "the stack's `NotificationARNs`", "none"),
    doc("profile", "The AWS credentials profile to deploy with.", FRAMEWORK, "default"),
    doc("region", "The AWS Region to deploy to; `--region` overrides it.", "`AWS::Region` of the stack", "us-east-1")
        .values(REGION_DOCS),
    doc("rolePermissionsBoundary", "The permissions boundary of the generated role.", "`AWS::IAM::Role` `PermissionsBoundary`", "none"),
    doc("rollbackConfiguration", "CloudFormation rollback triggers.", "the stack's `RollbackConfiguration`", "none"),
    doc("deploymentMethod", "How the Framework updates the stack.", FRAMEWORK, "direct")
        .values(&[("changesets", "create and execute a change set"), ("direct", "update the stack directly")]),
    doc("s3", "S3 buckets the `s3` events use (handled by the Framework).", FRAMEWORK, "none"),
    doc("stage", "The stage (`dev`, `prod`…), part of every name; `--stage` overrides it.", "part of the names", "dev"),
    doc("stackName", "The CloudFormation stack's name.", "the stack's name", "`<service>-<stage>`"),
    doc("stackParameters", "Values of the stack's parameters.", "the stack's `Parameters`", "none"),
    doc("stackPolicy", "Statements of the stack policy.", "the stack's `StackPolicyBody`", "none"),
    doc("stackTags", "Tags of the stack (and so of its resources).", "the stack's `Tags`", "none"),
    doc("vpcEndpointIds", "VPC endpoint ids of a private REST API.", "`AWS::ApiGateway::RestApi` `EndpointConfiguration.VpcEndpointIds`", "none"),
    doc("versionFunctions", "Publish a version of every function on each deployment.", "`AWS::Lambda::Version`", "true"),
    doc("websocket", "WebSocket API settings (handled by the Framework).", FRAMEWORK, "none"),
    doc("websocketsApiName", "The WebSocket API's name.", "`AWS::ApiGatewayV2::Api` `Name`", "`<stage>-<service>-websockets`"),
    doc("kinesis", "Settings of the Kinesis enhanced fan-out consumers.", "`AWS::Kinesis::StreamConsumer`", "none"),
    doc("kinesis.consumerNamingMode", "`serviceSpecific`: consumer names include the service and stage, so two services (or stages) can read one stream.", "`AWS::Kinesis::StreamConsumer` `ConsumerName`", "not set: `<function><stream>Consumer`")
        .values(&[("serviceSpecific", "`<function><stream><service><stage>Consumer`")]),
    doc("websocketsApiRouteSelectionExpression", "The WebSocket API's route selection expression.", "`AWS::ApiGatewayV2::Api` `RouteSelectionExpression`", "$request.body.action"),
    doc("websocketsDescription", "The WebSocket API's description.", "`AWS::ApiGatewayV2::Api` `Description`", "none"),
];

/// The documentation of a function's properties, with the tables they share.
pub fn function_docs() -> DocScope {
    vec![
        ("", FUNCTION_DOCS),
        ("", SHARED_DOCS),
        ("iam.role.statements.", STATEMENT_DOCS),
        ("iam.role.", ROLE_DOCS),
        ("iamRoleStatements.", STATEMENT_DOCS),
        ("vpc.", VPC_DOCS),
    ]
}

/// The documentation of `provider`'s properties, with the tables they share.
pub fn provider_docs() -> DocScope {
    vec![
        ("", PROVIDER_DOCS),
        ("", SHARED_DOCS),
        ("iam.role.statements.", STATEMENT_DOCS),
        ("iam.role.", ROLE_DOCS),
        ("iam.", ROLE_DOCS),
        ("iamRoleStatements.", STATEMENT_DOCS),
        ("vpc.", VPC_DOCS),
    ]
}

/// The runtimes of [`super::service::RUNTIMES`].
const RUNTIME_DOCS: &[(&str, &str)] = &[
    ("dotnet6", ".NET 6 (deprecated)"),
    ("dotnet8", ".NET 8"),
    ("go1.x", "Go 1.x (deprecated: use provided.al2023)"),
    ("java8", "Java 8 on Amazon Linux 1 (deprecated)"),
    ("java8.al2", "Java 8 on Amazon Linux 2"),
    ("java11", "Java 11"),
    ("java17", "Java 17"),
    ("java21", "Java 21"),
    ("java25", "Java 25"),
    ("nodejs14.x", "Node.js 14 (deprecated)"),
    ("nodejs16.x", "Node.js 16 (deprecated)"),
    ("nodejs18.x", "Node.js 18 (deprecated)"),
    ("nodejs20.x", "Node.js 20"),
    ("nodejs22.x", "Node.js 22"),
    ("nodejs24.x", "Node.js 24"),
    ("provided", "OS-only runtime on Amazon Linux 1 (deprecated)"),
    (
        "provided.al2",
        "OS-only runtime on Amazon Linux 2 (a `bootstrap` executable)",
    ),
    (
        "provided.al2023",
        "OS-only runtime on Amazon Linux 2023 (a `bootstrap` executable)",
    ),
    ("python3.7", "Python 3.7 (deprecated)"),
    ("python3.8", "Python 3.8 (deprecated)"),
    ("python3.9", "Python 3.9 (deprecated)"),
    ("python3.10", "Python 3.10"),
    ("python3.11", "Python 3.11"),
    ("python3.12", "Python 3.12"),
    ("python3.13", "Python 3.13"),
    ("python3.14", "Python 3.14"),
    ("ruby2.7", "Ruby 2.7 (deprecated)"),
    ("ruby3.2", "Ruby 3.2"),
    ("ruby3.3", "Ruby 3.3"),
    ("ruby3.4", "Ruby 3.4"),
];

/// The regions of [`super::service::REGIONS`].
const REGION_DOCS: &[(&str, &str)] = &[
    ("af-south-1", "Africa (Cape Town)"),
    ("ap-east-1", "Asia Pacific (Hong Kong)"),
    ("ap-east-2", "Asia Pacific (Taipei)"),
    ("ap-northeast-1", "Asia Pacific (Tokyo)"),
    ("ap-northeast-2", "Asia Pacific (Seoul)"),
    ("ap-northeast-3", "Asia Pacific (Osaka)"),
    ("ap-south-1", "Asia Pacific (Mumbai)"),
    ("ap-south-2", "Asia Pacific (Hyderabad)"),
    ("ap-southeast-1", "Asia Pacific (Singapore)"),
    ("ap-southeast-2", "Asia Pacific (Sydney)"),
    ("ap-southeast-3", "Asia Pacific (Jakarta)"),
    ("ap-southeast-4", "Asia Pacific (Melbourne)"),
    ("ap-southeast-5", "Asia Pacific (Malaysia)"),
    ("ap-southeast-6", "Asia Pacific (New Zealand)"),
    ("ap-southeast-7", "Asia Pacific (Thailand)"),
    ("ca-central-1", "Canada (Central)"),
    ("ca-west-1", "Canada West (Calgary)"),
    ("cn-north-1", "China (Beijing)"),
    ("cn-northwest-1", "China (Ningxia)"),
    ("eu-central-1", "Europe (Frankfurt)"),
    ("eu-central-2", "Europe (Zurich)"),
    ("eu-isoe-west-1", "EU ISOE West (isolated partition)"),
    ("eu-north-1", "Europe (Stockholm)"),
    ("eu-south-1", "Europe (Milan)"),
    ("eu-south-2", "Europe (Spain)"),
    ("eu-west-1", "Europe (Ireland)"),
    ("eu-west-2", "Europe (London)"),
    ("eu-west-3", "Europe (Paris)"),
    ("eusc-de-east-1", "AWS European Sovereign Cloud (Germany)"),
    ("il-central-1", "Israel (Tel Aviv)"),
    ("me-central-1", "Middle East (UAE)"),
    ("me-south-1", "Middle East (Bahrain)"),
    ("mx-central-1", "Mexico (Central)"),
    ("sa-east-1", "South America (São Paulo)"),
    ("us-east-1", "US East (N. Virginia)"),
    ("us-east-2", "US East (Ohio)"),
    ("us-gov-east-1", "AWS GovCloud (US-East)"),
    ("us-gov-west-1", "AWS GovCloud (US-West)"),
    ("us-iso-east-1", "US ISO East (isolated partition)"),
    ("us-iso-west-1", "US ISO West (isolated partition)"),
    ("us-isob-east-1", "US ISOB East (Ohio, isolated partition)"),
    ("us-isob-west-1", "US ISOB West (isolated partition)"),
    ("us-isof-east-1", "US ISOF East (isolated partition)"),
    ("us-isof-south-1", "US ISOF South (isolated partition)"),
    ("us-west-1", "US West (N. California)"),
    ("us-west-2", "US West (Oregon)"),
];
