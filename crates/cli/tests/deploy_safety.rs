//! Templates that deploy (issue 14, D23): functions that meet on one logical id, generated
//! resources that meet on one through the 255-character cut, deployed function names Lambda
//! refuses, the service's own logical ids CloudFormation refuses and a shared role name IAM
//! refuses. Each check has the valid service (tests/fixtures/services/deploy-safety, also run
//! through cfn-lint) and the offending variants made from it.

mod common;
use common::{run_in, scratch};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

const VALID: &str = include_str!("../../../tests/fixtures/services/deploy-safety/serverless.yml");

/// The binary run with `args` in a scratch folder `name` holding `yaml` as serverless.yml.
fn run(name: &str, yaml: &str, args: &[&str]) -> Output {
    let dir = scratch(name);
    std::fs::write(dir.join("serverless.yml"), yaml).unwrap();
    let out = run_in(&dir, args);
    let _ = std::fs::remove_dir_all(&dir);
    out
}

/// `package` of `yaml` (plus `args`): the template, or the rendered diagnostics.
fn package(name: &str, yaml: &str, args: &[&str]) -> Result<Value, String> {
    let out = run(
        name,
        yaml,
        &[&["package", "--color", "never"], args].concat(),
    );
    if out.status.success() {
        Ok(serde_json::from_slice(&out.stdout).expect("a JSON template"))
    } else {
        assert_eq!(out.status.code(), Some(1), "errors exit 1");
        Err(String::from_utf8_lossy(&out.stderr).to_string())
    }
}

fn count(text: &str, needle: &str) -> usize {
    text.matches(needle).count()
}

#[test]
fn the_valid_service_compiles_with_every_function() {
    let template = package("valid", VALID, &[]).expect("the valid service compiles");
    let resources = template["Resources"].as_object().unwrap();
    for id in [
        "GetUserLambdaFunction",
        "GetUsersLambdaFunction",
        "MyDashfnLambdaFunction",
        "ExactLimitLambdaFunction",
        "ReconcileEveryDirectoryEntryWithTheUpstreamIdentityProviderLambdaFunction",
    ] {
        assert!(resources.contains_key(id), "{id} is in the template");
    }
    assert_eq!(
        template["Resources"]["ExactLimitLambdaFunction"]["Properties"]["FunctionName"]
            .as_str()
            .map(str::len),
        Some(64)
    );
    assert!(Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/services/deploy-safety/serverless.yml")
        .exists());
}

#[test]
fn functions_whose_names_normalise_alike_are_an_error_at_both() {
    for (earlier, later) in [
        ("getUser", "GetUser"),
        ("my-fn", "myDashfn"),
        ("a_b", "AUnderscoreb"),
    ] {
        let yaml = VALID
            .replacen("  my-fn:\n", "  other:\n", 1)
            .replacen("  getUsers:\n", &format!("  {later}:\n"), 1)
            .replacen("  getUser:\n", &format!("  {earlier}:\n"), 1);
        let error = package(later, &yaml, &[]).unwrap_err();
        assert_eq!(
            count(&error, "error[FUNCTION_LOGICAL_ID_COLLISION]"),
            1,
            "{error}"
        );
        assert!(
            error.contains(&format!(
                "functions '{earlier}' and '{later}' both get the logical id"
            )),
            "{error}"
        );
        // The primary label at the later function, the secondary at the earlier one.
        let primary = error.find("^ this function").expect("a primary label");
        let secondary = error
            .find("- meets this earlier function")
            .expect("a secondary label");
        assert!(primary < secondary, "{error}");
        assert!(
            error.contains(&format!("= at: functions.{later}")),
            "{error}"
        );
    }
}

#[test]
fn validate_reports_the_collision_too() {
    let yaml = VALID.replacen("  getUsers:\n", "  GetUser:\n", 1);
    let out = run("validate", &yaml, &["validate", "--color", "never"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("FUNCTION_LOGICAL_ID_COLLISION"));
}

#[test]
fn generated_ids_that_meet_through_the_255_character_cut_are_an_error() {
    // The key normalises to 250 characters: `…LambdaFunction` and `…LambdaVersion…` are both
    // cut to `<key>Lambd`, and the version would replace the function.
    let key = format!("f{}", "x".repeat(249));
    let yaml = VALID.replacen(
        "  my-fn:\n    handler: misc.handle\n",
        &format!("  {key}:\n    name: long-key\n    handler: misc.handle\n"),
        1,
    );
    let error = package("cut", &yaml, &[]).unwrap_err();
    assert!(
        error.contains("error[FUNCTION_LOGICAL_ID_COLLISION]"),
        "{error}"
    );
    assert!(
        error.contains(&format!("two resources of function '{key}'")),
        "{error}"
    );
    assert!(error.contains(&format!("= at: functions.{key}")), "{error}");
    // Without versions there is nothing to meet.
    let unversioned = yaml.replacen(
        "  stage: prod\n",
        "  stage: prod\n  versionFunctions: false\n",
        1,
    );
    package("cut-unversioned", &unversioned, &[]).expect("no collision without versions");
}

#[test]
fn a_mapping_on_another_functions_id_is_an_error() {
    // `foo`'s mapping of queue BarLambdaFunction is FooEventSourceMappingSQSBarLambdaFunction,
    // the function id of `fooEventSourceMappingSQSBar`.
    let yaml = VALID.replacen(
        "  my-fn:\n    handler: misc.handle\n",
        "  fooEventSourceMappingSQSBar:\n    handler: misc.handle\n  foo:\n    handler: misc.foo\n    events:\n      - sqs: arn:aws:sqs:us-east-1:123456789012:BarLambdaFunction\n",
        1,
    );
    let error = package("mapping", &yaml, &[]).unwrap_err();
    assert!(
        error.contains("a resource of function 'fooEventSourceMappingSQSBar' and one of function 'foo' both get the logical id FooEventSourceMappingSQSBarLambdaFunction"),
        "{error}"
    );
    assert!(error.contains("= at: functions.foo\n"), "{error}");
    assert!(
        error.contains("- meets a resource of this earlier function"),
        "{error}"
    );
}

#[test]
fn user_resources_over_generated_ids_stay_allowed() {
    let yaml = VALID.replacen(
        "  Resources:\n",
        "  Resources:\n    GetUserLambdaFunction:\n      Properties:\n        MemorySize: 2048\n",
        1,
    );
    let template = package("override", &yaml, &[]).expect("the reference's override");
    assert_eq!(
        template["Resources"]["GetUserLambdaFunction"]["Properties"]["MemorySize"],
        2048
    );
}

#[test]
fn a_custom_function_name_lambda_refuses_is_an_error_at_the_name() {
    for (name, why) in [
        ("user directory", "has a space"),
        ("user.directory", "has `.`"),
        (
            "user-directory-prod-a-function-name-of-exactly-sixty-four-chars12",
            "is 65 characters long",
        ),
    ] {
        let yaml = VALID.replacen(
            "    name: user-directory-prod-reconcile\n",
            &format!("    name: {name}\n"),
            1,
        );
        let error = package("custom", &yaml, &[]).unwrap_err();
        assert_eq!(count(&error, "error[FUNCTION_NAME_INVALID]"), 1, "{error}");
        assert!(error.contains(why), "{error}");
        assert!(
            error.contains(
                "= at: functions.reconcileEveryDirectoryEntryWithTheUpstreamIdentityProvider.name"
            ),
            "{error}"
        );
    }
}

#[test]
fn a_generated_function_name_over_64_characters_points_at_the_function_key() {
    let yaml = VALID.replacen("    name: user-directory-prod-reconcile\n", "", 1);
    let error = package("generated", &yaml, &[]).unwrap_err();
    assert!(
        error.contains("'user-directory-prod-reconcileEveryDirectoryEntryWithTheUpstreamIdentityProvider', is 79 characters long"),
        "{error}"
    );
    assert!(
        error.contains(
            "= at: functions.reconcileEveryDirectoryEntryWithTheUpstreamIdentityProvider\n"
        ),
        "{error}"
    );
}

#[test]
fn a_stage_that_makes_generated_names_invalid_is_reported_once_at_the_stage() {
    let yaml = VALID.replacen("  stage: prod\n", "  stage: prod.eu\n", 1);
    let error = package("stage", &yaml, &[]).unwrap_err();
    assert_eq!(count(&error, "error[FUNCTION_NAME_INVALID]"), 1, "{error}");
    assert!(error.contains("= at: provider.stage"), "{error}");
    let error = package("cli-stage", VALID, &["--stage", "prod.eu"]).unwrap_err();
    assert_eq!(count(&error, "error[FUNCTION_NAME_INVALID]"), 1, "{error}");
    assert!(error.contains("given with --stage"), "{error}");
    package("good-cli-stage", VALID, &["--stage", "prod_eu"]).expect("`_` is allowed");
}

#[test]
fn user_logical_ids_cloudformation_refuses_are_errors_at_the_key() {
    for (from, to, path, why) in [
        (
            "    UserEventsQueue:\n      Type",
            "    user-events-queue:\n      Type",
            "resources.Resources.user-events-queue",
            "has `-`",
        ),
        (
            "    UserEventsQueueArn:\n",
            "    User_Events_Queue_Arn:\n",
            "resources.Outputs.User_Events_Queue_Arn",
            "has `_`",
        ),
        (
            "    IsProd: !Equals",
            "    Is Prod: !Equals",
            "resources.Conditions.Is Prod",
            "has a space",
        ),
        (
            "    AlertEmail:\n",
            "    alert.email:\n",
            "resources.Parameters.alert.email",
            "has `.`",
        ),
        (
            "    Tiers:\n",
            "    tiers-by-stage:\n",
            "resources.Mappings.tiers-by-stage",
            "has `-`",
        ),
    ] {
        let yaml = VALID.replacen(from, to, 1);
        assert_ne!(yaml, VALID, "{from} is in the valid service");
        let error = package("logical-id", &yaml, &[]).unwrap_err();
        assert_eq!(
            count(&error, "error[RESOURCE_LOGICAL_ID_INVALID]"),
            1,
            "{error}"
        );
        assert!(error.contains(why), "{error}");
        assert!(error.contains(&format!("= at: {path}\n")), "{error}");
    }
    // 255 characters are accepted, 256 are not.
    for (length, accepted) in [(255, true), (256, false)] {
        let id = format!("Q{}", "u".repeat(length - 1));
        let yaml = VALID
            .replace("UserEventsQueue.Arn", &format!("{id}.Arn"))
            .replace("!Ref UserEventsQueue\n", &format!("!Ref {id}\n"))
            .replacen("    UserEventsQueue:\n", &format!("    {id}:\n"), 1);
        let result = package("logical-id-length", &yaml, &[]);
        assert_eq!(result.is_ok(), accepted, "{length}: {result:?}");
        if let Err(error) = result {
            assert!(error.contains("is 256 characters long"), "{error}");
        }
    }
}

#[test]
fn a_stage_that_makes_the_shared_role_name_too_long_is_an_error_at_the_stage() {
    // user-directory-<stage>-us-east-1-lambdaRole: 36 characters besides the stage.
    let fits = "s".repeat(64 - 36);
    let yaml = VALID.replacen("  stage: prod\n", &format!("  stage: {fits}\n"), 1);
    // Names of functions without `name:` get longer too: give them short ones.
    let yaml = yaml
        .replacen(
            "    handler: users.get\n",
            "    name: a\n    handler: users.get\n",
            1,
        )
        .replacen(
            "    handler: users.list\n",
            "    name: b\n    handler: users.list\n",
            1,
        )
        .replacen(
            "    handler: misc.handle\n",
            "    name: c\n    handler: misc.handle\n",
            1,
        );
    package("role-fits", &yaml, &[]).expect("a role name of 64 characters fits");
    let longer = yaml.replacen(
        &format!("  stage: {fits}\n"),
        &format!("  stage: {fits}s\n"),
        1,
    );
    let error = package("role-too-long", &longer, &[]).unwrap_err();
    assert_eq!(count(&error, "error[IAM_ROLE_NAME_INVALID]"), 1, "{error}");
    assert!(error.contains("is 65 characters long"), "{error}");
    assert!(error.contains("= at: provider.stage\n"), "{error}");
    // A longer region counts too, and a role name of the user's own is left alone.
    let error = package("role-region", &yaml, &["--region", "ap-southeast-2"]).unwrap_err();
    assert!(error.contains("error[IAM_ROLE_NAME_INVALID]"), "{error}");
    let named = longer.replacen(
        "  stage: ",
        "  iam:\n    role:\n      name: user-directory-role\n  stage: ",
        1,
    );
    package("role-named", &named, &[]).expect("provider.iam.role.name is the user's");
}

#[test]
fn a_stage_with_characters_iam_refuses_is_an_error_at_the_stage() {
    // Every function of the valid service named, so that only the role name is left.
    let yaml = VALID
        .replacen(
            "    handler: users.get\n",
            "    name: a\n    handler: users.get\n",
            1,
        )
        .replacen(
            "    handler: users.list\n",
            "    name: b\n    handler: users.list\n",
            1,
        )
        .replacen(
            "    handler: misc.handle\n",
            "    name: c\n    handler: misc.handle\n",
            1,
        );
    let yaml = yaml.replacen("  stage: prod\n", "  stage: prod-${AWS::Region}\n", 1);
    let error = package("role-characters", &yaml, &[]).unwrap_err();
    assert_eq!(count(&error, "error[IAM_ROLE_NAME_INVALID]"), 1, "{error}");
    assert!(error.contains("has `$`, which IAM refuses"), "{error}");
    assert!(error.contains("= at: provider.stage\n"), "{error}");
}

#[test]
fn user_text_pasted_into_fn_sub_strings_stays_literal() {
    // A destination naming a function by a name the service does not define becomes a function
    // ARN through Fn::Sub; `${AWS::Region}` in it is text, not the region.
    let yaml = VALID.replacen(
        "    handler: misc.handle\n",
        "    handler: misc.handle\n    destinations:\n      onFailure: fallback-${AWS::Region}\n",
        1,
    );
    let template = package("sub-destination", &yaml, &[]).expect("compiles");
    let text = template.to_string();
    assert!(
        text.contains(":function:fallback-${!AWS::Region}\""),
        "{text}"
    );
    assert!(!text.contains("fallback-${AWS::Region}"), "{text}");
    // Our own references in the same strings are kept.
    assert!(
        text.contains(
            "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:fallback-"
        ),
        "{text}"
    );
}

#[test]
fn references_to_nothing_are_errors_at_the_value_that_wrote_them() {
    for (from, to, path, what) in [
        (
            "          - !Ref UserEventsQueue\n",
            "          - !Ref UserEventQueue\n",
            "resources.Resources.UserEventsQueuePolicy.Properties.Queues[0]",
            "UserEventQueue with Ref",
        ),
        (
            "                AWS: !GetAtt [IamRoleLambdaExecution, Arn]\n",
            "                AWS: !GetAtt [IamRoleLambdaExecutor, Arn]\n",
            "resources.Resources.UserEventsQueuePolicy.Properties.PolicyDocument.Statement[0].Principal.AWS",
            "IamRoleLambdaExecutor with Fn::GetAtt",
        ),
        (
            "      Value: !Sub '${GetUserLambdaFunction.Arn}'\n",
            "      Value: !Sub '${GetUsersLambda.Arn}'\n",
            "resources.Outputs.GetUserFunctionArn.Value",
            "GetUsersLambda with a Fn::Sub variable",
        ),
        (
            "function:${Name}${!Suffix}'\n",
            "function:${Name}${Suffix}'\n",
            "resources.Resources.UserEventsQueuePolicy.Properties.PolicyDocument.Statement[0].Condition.ArnLike.aws:SourceArn",
            "Suffix with a Fn::Sub variable",
        ),
        (
            "      DependsOn: ExactLimitLambdaFunction\n",
            "      DependsOn: ExactLimitFunction\n",
            "resources.Resources.UserEventsQueuePolicy.DependsOn",
            "ExactLimitFunction with DependsOn",
        ),
        (
            "      Value: !If [IsProd, ",
            "      Value: !If [IsProduction, ",
            "resources.Outputs.DeploymentBucket.Value",
            "IsProduction with the condition name",
        ),
        (
            "    UserEventsQueueArn:\n      Condition: IsProd\n",
            "    UserEventsQueueArn:\n      Condition: IsStaging\n",
            "resources.Outputs.UserEventsQueueArn.Condition",
            "IsStaging with the condition name",
        ),
        (
            "            Value: !Ref AlertEmail\n",
            "            Value: !Ref AlertEmails\n",
            "resources.Resources.UserEventsQueue.Properties.Tags[0].Value",
            "AlertEmails with Ref",
        ),
        (
            "      - sqs: arn:aws:sqs:us-east-1:123456789012:user-lookups\n",
            "      - sqs:\n          arn: !GetAtt UserLookups.Arn\n",
            "functions.getUser.events[0].sqs.arn",
            "UserLookups with Fn::GetAtt",
        ),
    ] {
        let yaml = VALID.replacen(from, to, 1);
        assert_ne!(yaml, VALID, "{from} is in the valid service");
        let error = package("reference", &yaml, &[]).unwrap_err();
        assert_eq!(
            count(&error, "error[TEMPLATE_REFERENCE_UNRESOLVED]"),
            1,
            "{error}"
        );
        assert!(error.contains(&format!("refers to {what}")) || error.contains(&format!("refer to {what}")), "{what}: {error}");
        assert!(error.contains(&format!("= at: {path}\n")), "{path}: {error}");
        assert!(error.contains("^ refers to nothing"), "{error}");
    }
}

#[test]
fn a_condition_that_names_another_missing_condition_is_an_error() {
    let yaml = VALID.replacen(
        "    IsProd: !Equals [!Ref AWS::Region, us-east-1]\n",
        "    IsProd: !And [!Condition InUsEast, !Equals [!Ref AWS::Region, us-east-1]]\n",
        1,
    );
    let error = package("condition-in-condition", &yaml, &[]).unwrap_err();
    assert!(
        error.contains("condition IsProd refers to InUsEast with the condition name"),
        "{error}"
    );
}

#[test]
fn a_typo_gets_the_defined_name_it_is_close_to() {
    let yaml = VALID.replacen(
        "          - !Ref UserEventsQueue\n",
        "          - !Ref UserEventQueue\n",
        1,
    );
    let error = package("typo", &yaml, &[]).unwrap_err();
    assert!(error.contains("did you mean UserEventsQueue?"), "{error}");
}

#[test]
fn references_the_template_may_get_from_elsewhere_are_warnings() {
    let broken = VALID.replacen(
        "          - !Ref UserEventsQueue\n",
        "          - !Ref ApiGatewayRestApi\n",
        1,
    );
    // An http event: the Framework compiles it (and its ApiGatewayRestApi) itself.
    let with_http = broken.replacen(
        "    handler: misc.handle\n",
        "    handler: misc.handle\n    events:\n      - http: GET /misc\n",
        1,
    );
    // A plugin we do not know may add it, and so may a macro.
    let with_plugin = format!("{broken}plugins:\n  - serverless-plugin-something\n");
    let with_transform = broken.replacen(
        "resources:\n",
        "resources:\n  Transform: [AWS::Serverless-2016-10-31]\n",
        1,
    );
    for (name, yaml) in [
        ("http", with_http),
        ("plugin", with_plugin),
        ("transform", with_transform),
    ] {
        let out = run(
            &format!("partial-{name}"),
            &yaml,
            &["package", "--color", "never", "--output", "-"],
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{name}: {stderr}");
        assert!(
            stderr.contains("warning[TEMPLATE_REFERENCE_UNRESOLVED]"),
            "{name}: {stderr}"
        );
        assert!(
            stderr.contains("this is a warning because"),
            "{name}: {stderr}"
        );
    }
    // Without any of them it is an error.
    package("complete", &broken, &[]).unwrap_err();
}

const CONSUMERS: &str =
    include_str!("../../../tests/fixtures/services/kinesis-consumers/serverless.yml");

fn consumer_depends_on(template: &Value) -> Vec<(String, Option<Value>)> {
    template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Kinesis::StreamConsumer")
        .map(|(id, r)| (id.clone(), r.get("DependsOn").cloned()))
        .collect()
}

#[test]
fn more_than_five_new_consumers_are_created_five_at_a_time() {
    let template = package("consumers", CONSUMERS, &[]).expect("compiles");
    let chain = consumer_depends_on(&template);
    assert_eq!(chain.len(), 7);
    let ids: Vec<&String> = chain.iter().map(|(id, _)| id).collect();
    for (i, (id, depends)) in chain.iter().enumerate() {
        if i < 5 {
            assert_eq!(depends, &None, "{id}");
        } else {
            assert_eq!(depends, &Some(serde_json::json!([ids[i - 5]])), "{id}");
        }
    }
    // Deterministic: the same chain every run.
    assert_eq!(
        package("consumers-again", CONSUMERS, &[]).unwrap(),
        template
    );
    // Five consumers: nothing waits.
    let five = remove_functions(CONSUMERS, &["audit", "replicate"]);
    let template = package("five-consumers", &five, &[]).expect("compiles");
    let chain = consumer_depends_on(&template);
    assert_eq!(chain.len(), 5);
    assert!(chain.iter().all(|(_, d)| d.is_none()), "{chain:?}");
}

/// `yaml` without the functions `keys` (each a block of the fixture's shape).
fn remove_functions(yaml: &str, keys: &[&str]) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in yaml.lines() {
        if let Some(key) = line.strip_prefix("  ").and_then(|l| l.strip_suffix(':')) {
            if !key.starts_with(' ') {
                skipping = keys.contains(&key);
            }
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn readers(n: usize, stream: &str) -> String {
    (1..=n)
        .map(|i| format!("  reader{i:02}: {{handler: r.h, events: [{{stream: {{arn: 'arn:aws:kinesis:us-east-1:123456789012:stream/{stream}', consumer: true}}}}]}}\n"))
        .collect()
}

#[test]
fn more_than_twenty_consumers_on_one_stream_are_an_error_at_the_21st() {
    let head = "service: clickstream\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n";
    let twenty = format!("{head}{}", readers(20, "clicks"));
    let template = package("twenty", &twenty, &[]).expect("20 consumers are allowed");
    assert_eq!(consumer_depends_on(&template).len(), 20);
    let error = package(
        "twenty-one",
        &format!("{head}{}", readers(21, "clicks")),
        &[],
    )
    .unwrap_err();
    assert_eq!(
        count(&error, "error[KINESIS_STREAM_CONSUMERS_TOO_MANY]"),
        1,
        "{error}"
    );
    assert!(
        error.contains("registers 21 enhanced fan-out consumers"),
        "{error}"
    );
    assert!(
        error.contains("= at: functions.reader21.events[0].stream.consumer\n"),
        "{error}"
    );
    // Consumers of other streams do not count.
    let other: String = readers(3, "views").replace("reader", "viewer");
    package("other-stream", &format!("{twenty}{other}"), &[]).expect("another stream's consumers");
    // An existing consumer's ARN and the service's own consumer resources count.
    let existing = "  legacy: {handler: r.h, events: [{stream: {arn: 'arn:aws:kinesis:us-east-1:123456789012:stream/clicks', consumer: 'arn:aws:kinesis:us-east-1:123456789012:stream/clicks/consumer/legacy:1700000000'}}]}\n";
    let error = package("existing", &format!("{twenty}{existing}"), &[]).unwrap_err();
    assert!(
        error.contains("= at: functions.legacy.events[0].stream.consumer\n"),
        "{error}"
    );
    let resource = "resources:\n  Resources:\n    AnalyticsConsumer:\n      Type: AWS::Kinesis::StreamConsumer\n      Properties:\n        StreamARN: arn:aws:kinesis:us-east-1:123456789012:stream/clicks\n        ConsumerName: analytics\n";
    let error = package("resource", &format!("{twenty}{resource}"), &[]).unwrap_err();
    assert!(
        error.contains("= at: resources.Resources.AnalyticsConsumer\n"),
        "{error}"
    );
}
