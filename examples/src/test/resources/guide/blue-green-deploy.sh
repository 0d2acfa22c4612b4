#!/bin/bash
# The automation script of the blue-green guide this project was created from ("4. 自动化脚本", in
# shared/seed/), run as is against the simulated cluster of bluegreen-testkit by GuideScriptTest. Every line
# below these comments is the guide's, in its order, except one, marked "CHANGED" where it is:
#  The cluster address: the guide's script uses whatever cluster kubectl's default kubeconfig names; here
#  kubectl is pointed at the demo cluster through the kubeconfig file SimulatedCluster.writeKubeconfig wrote
#  (DEMO_KUBECONFIG), so that the script can never touch a real cluster by mistake.
# ./scripts/smoke-test.sh itself is not in the guide; the test provides it. It is given the in-cluster DNS
# name of the test Service, as in the guide, and resolves it, as a cluster's DNS would, to the local address
# the simulated cluster's data plane serves for that Service (its ready pods answer real HTTP).
set -e
# CHANGED: the demo cluster, not the default kubeconfig's cluster.
export KUBECONFIG="${DEMO_KUBECONFIG:?DEMO_KUBECONFIG must name the kubeconfig file of the demo cluster}"
APP_NAME="myapp"
NEW_VERSION=$1
NAMESPACE="production"
if [ -z "$NEW_VERSION" ]; then
echo "Usage: $0 <new-version>"
exit 1
fi
echo "🚀 开始蓝绿发布: $APP_NAME -> $NEW_VERSION"
# 1. 确定当前颜色
CURRENT_COLOR=$(kubectl get service $APP_NAME-service -n $NAMESPACE -o jsonpath='{.spec.selector.version}')
echo "📍 当前颜色: $CURRENT_COLOR"
# 2. 确定新颜色
if [ "$CURRENT_COLOR" == "blue" ]; then
NEW_COLOR="green"
else
NEW_COLOR="blue"
fi
echo "🎨 新颜色: $NEW_COLOR"
# 3. 部署新版本
echo "📦 部署 $NEW_COLOR 环境..."
kubectl set image deployment/$APP_NAME-$NEW_COLOR \
$APP_NAME=myregistry/$APP_NAME:$NEW_VERSION \
-n $NAMESPACE
# 4. 等待就绪
echo "⏳ 等待 $NEW_COLOR 环境就绪..."
kubectl rollout status deployment/$APP_NAME-$NEW_COLOR -n $NAMESPACE --timeout=5m
# 5. 创建测试 Service
echo "🧪 创建测试 Service..."
kubectl expose deployment $APP_NAME-$NEW_COLOR \
--name=$APP_NAME-$NEW_COLOR-test \
--port=80 \
--target-port=8080 \
--type=ClusterIP \
-n $NAMESPACE \
--dry-run=client -o yaml | kubectl apply -f -
# 6. 运行冒烟测试
echo "🔍 运行冒烟测试..."
if ! ./scripts/smoke-test.sh $APP_NAME-$NEW_COLOR-test.$NAMESPACE.svc.cluster.local; then
echo "❌ 冒烟测试失败,回滚部署"
kubectl delete service $APP_NAME-$NEW_COLOR-test -n $NAMESPACE
exit 1
fi
# 7. 切换流量
echo "🔄 切换流量到 $NEW_COLOR 环境..."
kubectl patch service $APP_NAME-service \
-n $NAMESPACE \
-p "{\"spec\":{\"selector\":{\"version\":\"$NEW_COLOR\"}}}"
echo "✅ 流量已切换到 $NEW_COLOR 环境"
# 8. 监控
echo "📊 监控新版本 30 秒..."
sleep 30
# 9. 检查健康状态
echo "🏥 检查健康状态..."
READY_PODS=$(kubectl get pods -l app=$APP_NAME,version=$NEW_COLOR -n $NAMESPACE -o jsonpath='{.items[?(@.status.phase=="Running")].metadata.name}' | wc -w)
TOTAL_PODS=$(kubectl get deployment $APP_NAME-$NEW_COLOR -n $NAMESPACE -o jsonpath='{.spec.replicas}')
if [ "$READY_PODS" -ne "$TOTAL_PODS" ]; then
echo "⚠️ 警告: 只有 $READY_PODS/$TOTAL_PODS 个 Pod 就绪"
read -p "是否继续?(y/n) " -n 1 -r
echo
if [[ ! $REPLY =~ ^[Yy]$ ]]; then
echo "🔙 回滚到 $CURRENT_COLOR"
kubectl patch service $APP_NAME-service \
-n $NAMESPACE \
-p "{\"spec\":{\"selector\":{\"version\":\"$CURRENT_COLOR\"}}}"
exit 1
fi
fi
# 10. 清理
echo "🧹 清理测试 Service..."
kubectl delete service $APP_NAME-$NEW_COLOR-test -n $NAMESPACE
echo "✅ 蓝绿发布完成!"
echo "📝 旧版本 ($CURRENT_COLOR) 仍在运行,建议保留 1-7 天"
echo " 手动删除命令: kubectl delete deployment $APP_NAME-$CURRENT_COLOR -n $NAMESPACE"
