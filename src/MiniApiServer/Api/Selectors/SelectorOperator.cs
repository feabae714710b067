namespace MiniApiServer.Api.Selectors;

/// <summary>The operators of apimachinery's <c>pkg/selection</c>.</summary>
public enum SelectorOperator { DoesNotExist, Equals, DoubleEquals, In, NotEquals, NotIn, Exists, GreaterThan, LessThan }

public static class SelectorOperatorExtensions
{
    /// <summary>The operator's <c>selection.Operator</c> string, as kube prints it in messages ("gt", not ">").</summary>
    public static string Text(this SelectorOperator op) => op switch
    {
        SelectorOperator.DoesNotExist => "!",
        SelectorOperator.Equals => "=",
        SelectorOperator.DoubleEquals => "==",
        SelectorOperator.In => "in",
        SelectorOperator.NotEquals => "!=",
        SelectorOperator.NotIn => "notin",
        SelectorOperator.Exists => "exists",
        SelectorOperator.GreaterThan => "gt",
        _ => "lt",
    };
}
