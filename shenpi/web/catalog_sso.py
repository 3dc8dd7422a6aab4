"""Chinese for the single sign-on pages (the sign-in page's provider buttons, the callback's failure pages)."""

from __future__ import annotations

ZH_SSO: dict[str, str] = {
    "Sign in with {provider}": "使用{provider}登录",
    "Feishu / Lark": "飞书 / Lark",  # the provider's name on its button and in the failure pages
    "Single sign-on": "单点登录",
    "Or sign in": "或者登录",
    "Sign-in failed": "登录失败",
    "Back to sign-in": "返回登录页",
    "Password sign-in is turned off here. Sign in with your identity provider.":
        "此处已关闭密码登录，请通过身份提供方登录。",
    "Sign-in with {provider} is not available now: {reason}": "暂时无法使用{provider}登录：{reason}",
    "This sign-in did not start here, or took too long. Please try again.":
        "此次登录不是从这里发起的，或已超时。请重试。",
    "{provider} did not sign you in: {reason}": "{provider}未能让你登录：{reason}",
    "{provider} sent no authorization code.": "{provider}没有返回授权码。",
    "Sign-in with {provider} failed: {reason}": "使用{provider}登录失败：{reason}",
    "{provider} did not say who you are ({claim} is missing).": "{provider}没有提供你的身份（缺少 {claim}）。",
    "{provider} has not verified the email address {value}.": "{provider}尚未验证邮箱地址 {value}。",
    "{provider} signed you in to another organization.": "{provider}登录的是另一个组织的账号。",
    "Single sign-on has no tenant configured (--sso-tenant).": "单点登录未配置租户（--sso-tenant）。",
    "{value} has no account in this shenpi. Ask an administrator to add you.":
        "{value} 在此 shenpi 中没有账号。请联系管理员添加。",
}
