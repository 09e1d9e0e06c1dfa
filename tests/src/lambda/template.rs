//! template.yaml read as data, and the one evaluator of its intrinsics every test uses.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::{ACCOUNT_ID, REGION, repo_root};

/// template.yaml as data, with parameter values (their defaults unless overridden) and the
/// physical names of the resources the evaluated values refer to.
#[derive(Debug, Clone)]
pub struct Template {
    doc: Value,
    stack_name: String,
    parameters: BTreeMap<String, String>,
    resource_names: BTreeMap<String, String>,
    placeholders: bool,
}

/// A function of the template: its resource and what Lambda would give the binary.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionDef {
    /// Logical id in the template.
    pub logical_id: String,
    /// Binary name (`Metadata.BuildProperties.Binary`).
    pub binary: String,
    /// `MemorySize` (MB).
    pub memory_mb: u32,
    /// `Timeout` (seconds).
    pub timeout_s: u64,
    /// `Environment.Variables`, evaluated.
    pub env: BTreeMap<String, String>,
}

impl Template {
    /// Reads `<repo>/template.yaml` for a stack of that name.
    ///
    /// # Panics
    /// When the file is missing or not YAML.
    pub fn load(stack_name: &str) -> Self {
        let path = repo_root().join("template.yaml");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let doc: Value = serde_norway::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not YAML this harness reads: {e}", path.display()));
        Self::from_doc(doc, stack_name)
    }

    /// A template already read (as `serde_json::Value`), for a stack of that name.
    pub fn from_doc(doc: Value, stack_name: &str) -> Self {
        let mut parameters = BTreeMap::new();
        if let Some(ps) = doc["Parameters"].as_object() {
            for (k, p) in ps {
                if let Some(d) = scalar(&p["Default"]) {
                    parameters.insert(k.clone(), d);
                }
            }
        }
        Self {
            doc,
            stack_name: stack_name.into(),
            parameters,
            resource_names: BTreeMap::new(),
            placeholders: false,
        }
    }

    /// Resources the test does not name get what CloudFormation would make of them: a physical
    /// name `<stack>-<logical id>-1A2B3C4D5E6F` (or their own `Name`), and `Fn::GetAtt` a
    /// placeholder (`Arn`: `arn:aws:placeholder:<region>:<account>:<logical id>`). For checking
    /// the template as data; a test that runs the functions names every resource they reach.
    pub fn with_placeholders(mut self) -> Self {
        self.placeholders = true;
        self
    }

    /// The physical name a placeholder resource gets ([`Template::with_placeholders`]).
    pub fn placeholder_name(&self, logical_id: &str) -> String {
        format!("{}-{logical_id}-1A2B3C4D5E6F", self.stack_name)
    }

    /// What `Ref: AWS::NoValue` evaluated to (at the top level: inside lists and maps it is
    /// dropped).
    pub fn is_no_value(v: &Value) -> bool {
        v.as_str() == Some(NO_VALUE)
    }

    /// The branch an `Fn::If` takes (through nested ones), without evaluating it; `None` for
    /// `AWS::NoValue`. Any other value is returned as it is.
    ///
    /// # Errors
    /// A malformed `Fn::If` or an unknown condition.
    pub fn pick<'v>(&self, v: &'v Value) -> Result<Option<&'v Value>, String> {
        match single_key(v) {
            Some(("Fn::If", args)) => {
                let l = args.as_array().filter(|l| l.len() == 3).ok_or("Fn::If takes 3 items")?;
                let cond = l[0].as_str().ok_or("Fn::If needs a condition name")?;
                let chosen = if self.condition(cond)? { &l[1] } else { &l[2] };
                if chosen.get("Ref").and_then(Value::as_str) == Some("AWS::NoValue") {
                    Ok(None)
                } else {
                    self.pick(chosen)
                }
            }
            _ => Ok(Some(v)),
        }
    }

    /// Sets a parameter.
    ///
    /// # Panics
    /// When the template declares no such parameter (it was renamed: the test needs a look).
    pub fn with_parameter(mut self, name: &str, value: impl Into<String>) -> Self {
        assert!(
            self.doc["Parameters"].get(name).is_some(),
            "template.yaml has no parameter {name}: update the test"
        );
        self.parameters.insert(name.into(), value.into());
        self
    }

    /// The value `Ref: <logical id>` of a resource has (its physical name).
    pub fn with_resource_name(mut self, logical_id: &str, name: impl Into<String>) -> Self {
        self.resource_names.insert(logical_id.into(), name.into());
        self
    }

    /// A parameter's value.
    pub fn parameter(&self, name: &str) -> Option<&str> {
        self.parameters.get(name).map(String::as_str)
    }

    /// The stack name `AWS::StackName` stands for.
    pub fn stack_name(&self) -> &str {
        &self.stack_name
    }

    /// The resources of a type, by logical id.
    pub fn resources_of_type(&self, ty: &str) -> Vec<(String, Value)> {
        self.doc["Resources"]
            .as_object()
            .map(|rs| {
                rs.iter().filter(|(_, r)| r["Type"] == ty).map(|(k, r)| (k.clone(), r.clone())).collect()
            })
            .unwrap_or_default()
    }

    /// The logical id of the function whose `Metadata.BuildProperties.Binary` is `binary`.
    ///
    /// # Panics
    /// When there is none.
    pub fn logical_id(&self, binary: &str) -> String {
        self.resources_of_type("AWS::Serverless::Function")
            .into_iter()
            .find(|(_, r)| r["Metadata"]["BuildProperties"]["Binary"] == binary)
            .map(|(id, _)| id)
            .unwrap_or_else(|| panic!("template.yaml has no function with Binary: {binary}"))
    }

    /// The function whose `Metadata.BuildProperties.Binary` is `binary`, with its environment
    /// evaluated (SAM `Globals.Function` values apply when the function sets none).
    ///
    /// # Panics
    /// When there is no such function or a value uses an intrinsic this evaluator lacks.
    pub fn function(&self, binary: &str) -> FunctionDef {
        let logical_id = self.logical_id(binary);
        let res = &self.doc["Resources"][&logical_id];
        let globals = &self.doc["Globals"]["Function"];
        let prop = |k: &str| {
            let v = &res["Properties"][k];
            let v = if v.is_null() { &globals[k] } else { v };
            self.eval(v).unwrap_or_else(|e| panic!("{logical_id}.{k}: {e}"))
        };
        let number = |k: &str| prop(k).as_u64().or_else(|| scalar(&prop(k))?.parse().ok());
        let mut env = BTreeMap::new();
        for source in [&globals["Environment"]["Variables"], &res["Properties"]["Environment"]["Variables"]] {
            if let Some(vars) = source.as_object() {
                for (k, v) in vars {
                    let v = self.eval(v).unwrap_or_else(|e| panic!("{logical_id} environment {k}: {e}"));
                    if v != Value::String(NO_VALUE.into()) {
                        env.insert(k.clone(), scalar(&v).unwrap_or_else(|| v.to_string()));
                    }
                }
            }
        }
        FunctionDef {
            // Lambda's defaults when neither the function nor Globals set them.
            memory_mb: number("MemorySize").unwrap_or(128) as u32,
            timeout_s: number("Timeout").unwrap_or(3),
            logical_id,
            binary: binary.into(),
            env,
        }
    }

    /// Whether a condition of the template holds.
    ///
    /// # Errors
    /// When it is unknown or uses an unsupported function.
    pub fn condition(&self, name: &str) -> Result<bool, String> {
        let c = self.doc["Conditions"].get(name).ok_or_else(|| format!("no condition {name}"))?;
        self.truth(c)
    }

    fn truth(&self, c: &Value) -> Result<bool, String> {
        let (f, args) = single_key(c).ok_or_else(|| format!("not a condition: {c}"))?;
        let list = || args.as_array().ok_or_else(|| format!("{f} takes a list"));
        match f {
            "Fn::Equals" => {
                let l = list()?;
                let a = self.eval(l.first().unwrap_or(&Value::Null))?;
                let b = self.eval(l.get(1).unwrap_or(&Value::Null))?;
                Ok(scalar(&a) == scalar(&b))
            }
            "Fn::Not" => Ok(!self.truth(list()?.first().ok_or("Fn::Not of nothing")?)?),
            "Fn::And" => list()?.iter().try_fold(true, |acc, x| Ok(acc && self.truth(x)?)),
            "Fn::Or" => list()?.iter().try_fold(false, |acc, x| Ok(acc || self.truth(x)?)),
            "Condition" => self.condition(args.as_str().ok_or("Condition takes a name")?),
            other => Err(format!("unsupported condition function {other}")),
        }
    }

    /// Evaluates a template value: `Ref`, `Fn::Sub`, `Fn::If` (with `AWS::NoValue`), `Fn::Select`,
    /// `Fn::Split`, recursively through lists and maps; `Fn::GetAtt` with placeholders only
    /// ([`Template::with_placeholders`]). Others are refused.
    ///
    /// # Errors
    /// On an unknown name or an unsupported intrinsic.
    pub fn eval(&self, v: &Value) -> Result<Value, String> {
        if let Some((f, args)) = single_key(v)
            && (f == "Ref" || f.starts_with("Fn::"))
        {
            return match f {
                "Ref" => self.reference(args.as_str().ok_or("Ref takes a name")?).map(Value::String),
                "Fn::Sub" => self.sub(args).map(Value::String),
                "Fn::If" => {
                    let l = args.as_array().filter(|l| l.len() == 3).ok_or("Fn::If takes 3 items")?;
                    let cond = l[0].as_str().ok_or("Fn::If needs a condition name")?;
                    self.eval(if self.condition(cond)? { &l[1] } else { &l[2] })
                }
                "Fn::GetAtt" => {
                    let l = args.as_array().filter(|l| l.len() == 2).ok_or("Fn::GetAtt takes 2 items")?;
                    let (res, attr) = (l[0].as_str().unwrap_or_default(), l[1].as_str().unwrap_or_default());
                    self.get_att(res, attr).map(Value::String)
                }
                "Fn::Select" => {
                    let l = args.as_array().filter(|l| l.len() == 2).ok_or("Fn::Select takes 2 items")?;
                    let i: usize = scalar(&self.eval(&l[0])?)
                        .and_then(|i| i.parse().ok())
                        .ok_or("Fn::Select needs an index")?;
                    match self.eval(&l[1])? {
                        Value::Array(items) => {
                            items.get(i).cloned().ok_or_else(|| format!("Fn::Select {i} of {v}"))
                        }
                        other => Err(format!("Fn::Select of {other}")),
                    }
                }
                "Fn::Split" => {
                    let l = args.as_array().filter(|l| l.len() == 2).ok_or("Fn::Split takes 2 items")?;
                    let sep = l[0].as_str().ok_or("Fn::Split needs a separator")?;
                    let text = scalar(&self.eval(&l[1])?).ok_or("Fn::Split of a non-string")?;
                    Ok(Value::Array(text.split(sep).map(|p| Value::String(p.into())).collect()))
                }
                other => Err(format!("unsupported intrinsic {other} in {v}")),
            };
        }
        match v {
            Value::Array(items) => {
                let out: Result<Vec<Value>, String> = items.iter().map(|x| self.eval(x)).collect();
                Ok(Value::Array(out?.into_iter().filter(|x| x != NO_VALUE).collect()))
            }
            Value::Object(m) => {
                let mut out = serde_json::Map::new();
                for (k, x) in m {
                    let x = self.eval(x)?;
                    if x != NO_VALUE {
                        out.insert(k.clone(), x);
                    }
                }
                Ok(Value::Object(out))
            }
            other => Ok(other.clone()),
        }
    }

    fn reference(&self, name: &str) -> Result<String, String> {
        Ok(match name {
            "AWS::StackName" => self.stack_name.clone(),
            "AWS::Region" => REGION.into(),
            "AWS::AccountId" => ACCOUNT_ID.into(),
            "AWS::Partition" => "aws".into(),
            "AWS::URLSuffix" => "amazonaws.com".into(),
            "AWS::NoValue" => NO_VALUE.into(),
            _ => match self.parameters.get(name).or_else(|| self.resource_names.get(name)) {
                Some(v) => v.clone(),
                None if self.placeholders && self.doc["Resources"].get(name).is_some() => {
                    match self.doc["Resources"][name]["Properties"].get("Name") {
                        // Resources the template names (the configuration set) are referred to by name.
                        Some(n) => {
                            scalar(&self.eval(n)?).ok_or_else(|| format!("{name}: Name is not a string"))?
                        }
                        None => self.placeholder_name(name),
                    }
                }
                None => return Err(format!("Ref {name}: no such parameter, or no name given for it")),
            },
        })
    }

    fn get_att(&self, res: &str, attr: &str) -> Result<String, String> {
        if !self.placeholders {
            return Err(format!("Fn::GetAtt {res}.{attr}: only with placeholders"));
        }
        if self.doc["Resources"].get(res).is_none() {
            return Err(format!("Fn::GetAtt of unknown resource {res}"));
        }
        Ok(match attr {
            "Arn" => format!("arn:aws:placeholder:{REGION}:{ACCOUNT_ID}:{res}"),
            _ => format!("{}-{res}-{attr}", self.stack_name),
        })
    }

    fn sub(&self, args: &Value) -> Result<String, String> {
        let (text, vars) = match args {
            Value::String(s) => (s.as_str(), serde_json::Map::new()),
            Value::Array(l) if l.len() == 2 => (
                l[0].as_str().ok_or("Fn::Sub template must be a string")?,
                l[1].as_object().cloned().ok_or("Fn::Sub variables must be a map")?,
            ),
            other => return Err(format!("bad Fn::Sub {other}")),
        };
        let mut out = String::new();
        let mut rest = text;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            if let Some(lit) = after.strip_prefix('!') {
                out.push_str("${");
                rest = lit;
                continue;
            }
            let end = after.find('}').ok_or_else(|| format!("unclosed ${{ in {text}"))?;
            let name = &after[..end];
            let value = match vars.get(name) {
                Some(v) => scalar(&self.eval(v)?).ok_or_else(|| format!("${{{name}}} is not a string"))?,
                None => match name.split_once('.').filter(|_| !name.starts_with("AWS::")) {
                    Some((res, attr)) => self.get_att(res, attr)?,
                    None => self.reference(name)?,
                },
            };
            out.push_str(&value);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// What `Ref: AWS::NoValue` evaluates to (removed from lists and maps).
const NO_VALUE: &str = "\u{0}AWS::NoValue";

/// A one-key object (`{"Ref": …}`, `{"Fn::If": […]}`) as (key, value): how every intrinsic is written.
pub fn single_key(v: &Value) -> Option<(&str, &Value)> {
    let m = v.as_object()?;
    if m.len() != 1 {
        return None;
    }
    m.iter().next().map(|(k, v)| (k.as_str(), v))
}

/// A scalar as CloudFormation passes it to an environment variable (numbers and booleans as text).
pub fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}
