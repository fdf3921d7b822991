namespace Aha.Templates;

/// <summary>A node of a parsed template; <see cref="Line"/> is where it starts (1-based), for error messages.</summary>
internal abstract record Node(int Line);

internal sealed record TextNode(string Text, int Line) : Node(Line);
internal sealed record OutputNode(Expr Value, int Line) : Node(Line);
internal sealed record CommentNode(int Line) : Node(Line);
internal sealed record IfNode(Expr Test, List<Node> Body, List<Node> Else, int Line) : Node(Line);
/// <param name="Filter">The <c>if</c> of <c>{% for x in xs if cond %}</c>, or null.</param>
internal sealed record ForNode(Expr Target, Expr Iterable, Expr? Filter, List<Node> Body, List<Node> Else, int Line) : Node(Line);
/// <param name="Value">The assigned expression, or null for a block set (<c>{% set x %}…{% endset %}</c>).</param>
internal sealed record SetNode(Expr Target, Expr? Value, List<Node> Body, int Line) : Node(Line);
internal sealed record BreakNode(int Line) : Node(Line);
internal sealed record ContinueNode(int Line) : Node(Line);

internal abstract record Expr(int Line) : Node(Line);
internal sealed record LiteralExpr(JinjaValue Value, int Line) : Expr(Line);
internal sealed record NameExpr(string Name, int Line) : Expr(Line);
internal sealed record ListExpr(List<Expr> Items, bool IsTuple, int Line) : Expr(Line);
internal sealed record DictExpr(List<(Expr Key, Expr Value)> Items, int Line) : Expr(Line);
/// <param name="Computed">obj[key] rather than obj.key.</param>
internal sealed record MemberExpr(Expr Object, Expr Property, bool Computed, int Line) : Expr(Line);
internal sealed record SliceExpr(Expr? Start, Expr? Stop, Expr? Step, int Line) : Expr(Line);
internal sealed record CallExpr(Expr Callee, List<Expr> Args, int Line) : Expr(Line);
internal sealed record KeywordArgExpr(string Name, Expr Value, int Line) : Expr(Line);
internal sealed record BinaryExpr(string Op, Expr Left, Expr Right, int Line) : Expr(Line);
internal sealed record UnaryExpr(string Op, Expr Operand, int Line) : Expr(Line);
/// <param name="Filter">A <see cref="NameExpr"/> or a <see cref="CallExpr"/> on one.</param>
internal sealed record FilterExpr(Expr Operand, Expr Filter, int Line) : Expr(Line);
internal sealed record TestExpr(Expr Operand, bool Negate, string Test, int Line) : Expr(Line);
/// <summary><c>a if cond</c> without else: undefined when cond is false.</summary>
internal sealed record SelectExpr(Expr Value, Expr Condition, int Line) : Expr(Line);
internal sealed record TernaryExpr(Expr Condition, Expr IfTrue, Expr IfFalse, int Line) : Expr(Line);
